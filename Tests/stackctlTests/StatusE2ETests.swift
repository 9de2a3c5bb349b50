import Foundation
import Testing

/// `stackctl status` against a stack deployed on the lab, run as a user runs it.
extension Lab {
@Suite(.needsLab) struct StatusE2ETests {
    static func status(_ manifest: String, _ extra: [String] = []) throws -> (status: Int32, report: [String: Any], text: String) {
        let json = try CLITests.stackctl(["status", "-f", manifest, "-F", LabE2ETests.sshConfig, "--json"] + extra)
        let report = (try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) as? [String: Any] ?? [:]
        return (json.status, report, json.stdout)
    }

    static func instances(_ report: [String: Any]) -> [[String: Any]] {
        (report["tiers"] as? [[String: Any]] ?? []).flatMap { $0["instances"] as? [[String: Any]] ?? [] }
    }

    static func instance(_ report: [String: Any], host: String, name: String) -> [String: Any]? {
        instances(report).first { $0["host"] as? String == host && $0["name"] as? String == name }
    }

    static func ssh(_ address: String, _ command: String) throws -> CLITests.Result {
        try CLITests.capture(["/usr/bin/ssh", "-F", LabE2ETests.sshConfig, address, command])
    }

    @Test(arguments: LabKind.allCases)
    func healthyDegradedDriftAndUnreachable(kind: LabKind) throws {
        try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, manifest in
            #expect(try LabE2ETests.up(manifest).status == 0)

            // Healthy: exit 0, every instance with a pid and a probe answer, in sync.
            let healthy = try Self.status(manifest)
            #expect(healthy.status == 0 && healthy.report["state"] as? String == "healthy", "\(healthy.text)")
            #expect(Self.instances(healthy.report).count == 7)
            for i in Self.instances(healthy.report) {
                #expect((i["process"] as? [String: Any])?["pid"] as? Int != nil && i["drift"] as? String == "in sync" && i["healthy"] as? Bool == true, "\(i)")
            }
            let human = try CLITests.stackctl(["status", "-f", manifest, "-F", LabE2ETests.sshConfig])
            #expect(human.status == 0 && human.stdout.hasPrefix("stack shop: healthy") && human.stdout.contains("WORKERS  healthy") && !human.stdout.contains("\u{1B}["))

            // --watch redraws until interrupted, then closes its connections and exits 0.
            let watch = Process()
            watch.executableURL = URL(fileURLWithPath: CLITests.binary)
            watch.arguments = ["status", "-f", manifest, "-F", LabE2ETests.sshConfig, "--watch", "0.5"]
            let out = dir.appendingPathComponent("watch.out")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            watch.standardOutput = try FileHandle(forWritingTo: out)
            try watch.run()
            #expect(CLITests.waitFor(20) { ((try? String(contentsOf: out, encoding: .utf8)) ?? "").components(separatedBy: "stack shop: healthy").count > 2 })
            kill(watch.processIdentifier, SIGINT)
            watch.waitUntilExit()
            #expect(watch.terminationStatus == 0)
            #expect(try String(contentsOf: out, encoding: .utf8).contains("refreshing every 0.5 s; Ctrl-C to stop"))

            // A worker killed that cannot come back (its app is gone): degraded, that instance named.
            _ = try Self.ssh(kind.address(3), "mv /srv/shop/app/hello.py /srv/shop/app/hello.py.away")
            defer { _ = try? Self.ssh(kind.address(3), "mv /srv/shop/app/hello.py.away /srv/shop/app/hello.py") }
            let pid = try #require((Self.instance(healthy.report, host: "app1", name: "main/1")?["process"] as? [String: Any])?["pid"] as? Int)
            #expect(try Self.ssh(kind.address(3), "kill -KILL \(pid)").status == 0)
            // Degraded, and named by its cause once its restart has failed (until then the last
            // log line is still the one before the kill).
            var degraded = (status: Int32(-1), report: [String: Any](), text: "")
            #expect(CLITests.waitFor(15) {
                degraded = (try? Self.status(manifest)) ?? degraded
                let why = Self.instance(degraded.report, host: "app1", name: "main/1")?["why"] as? String ?? ""
                return degraded.status == 8 && why.contains("ModuleNotFoundError")
            }, "degraded, with the why")
            #expect(degraded.report["state"] as? String == "degraded")
            let dead = try #require(Self.instance(degraded.report, host: "app1", name: "main/1"))
            #expect(dead["healthy"] as? Bool == false)
            #expect((dead["why"] as? String)?.contains("ModuleNotFoundError: No module named 'hello'") == true, "\(dead)")
            #expect(Self.instance(degraded.report, host: "app1", name: "main/0")?["healthy"] as? Bool == true)
            _ = try Self.ssh(kind.address(3), "mv /srv/shop/app/hello.py.away /srv/shop/app/hello.py")
            #expect(try LabE2ETests.up(manifest).status == 0)

            // A config edited by hand on a host: drift, with the file named; still healthy.
            #expect(try Self.ssh(kind.address(2), "echo '# edited by hand' >> /srv/stackctl/shop/middle/nginx.conf").status == 0)
            let drifted = try Self.status(manifest)
            let middle = try #require(Self.instance(drifted.report, host: "middle1", name: "nginx"))
            #expect(middle["drift"] as? String == "changed on host")
            #expect(middle["drift_files"] as? [String] == ["/srv/stackctl/shop/middle/nginx.conf"])
            #expect(drifted.status == 0)

            // A host whose sshd is stopped: unreachable, exit 3, everything else still reported.
            // Its own connection: one kept open by an earlier run would still reach it.
            let restore = try kind.stopSSH(4)
            defer { restore() }
            let cut = try Self.status(manifest, ["--ssh-persist", "0"])
            #expect(cut.status == 3 && cut.report["state"] as? String == "unreachable")
            let hosts = cut.report["hosts"] as? [[String: Any]] ?? []
            #expect(hosts.first { $0["host"] as? String == "app2" }?["reachable"] as? Bool == false)
            #expect((hosts.first { $0["host"] as? String == "app2" }?["error"] as? String)?.contains("Connection refused") == true)
            #expect(Self.instance(cut.report, host: "app1", name: "main/0")?["healthy"] as? Bool == true)
            #expect(Self.instance(cut.report, host: "app2", name: "main/0")?["why"] as? String == "host unreachable: ssh: connect to host \(kind.address(4)) port 22: Connection refused (ssh \(kind.address(4)))")
            #expect(hosts.first { $0["host"] as? String == "app2" }?["destination"] as? String == kind.address(4))
        }
    }
}
}
