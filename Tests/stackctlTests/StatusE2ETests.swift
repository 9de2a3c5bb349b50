import Foundation
import Testing
import StackKit

/// `stackctl status` against a stack deployed on the lab, run as a user runs it.
extension Lab {
@Suite(.needsLab) struct StatusE2ETests {
    static func status(_ manifest: String, _ extra: [String] = []) throws -> (status: Int32, report: StatusReport, text: String) {
        let json = try CLITests.stackctl(["status", "-f", manifest, "-F", LabE2ETests.sshConfig, "--json"] + extra)
        return (json.status, Reports.status(json.stdout), json.stdout)
    }

    static func ssh(_ address: String, _ command: String) throws -> CLITests.Result {
        try CLITests.capture(["/usr/bin/ssh", "-F", LabE2ETests.sshConfig, address, command])
    }

    @Test(arguments: LabKind.allCases)
    func healthyDegradedDriftAndUnreachable(kind: LabKind) throws {
        try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, manifest in
            try LabE2ETests.expectUp(manifest)

            // Healthy: exit 0, every instance with a pid and a probe answer, in sync.
            let healthy = try Self.status(manifest)
            #expect(healthy.status == 0 && healthy.report.state == .healthy, "\(healthy.text)")
            #expect(healthy.report.instances.count == 7)
            for i in healthy.report.instances {
                #expect(i.process?.pid != nil && i.drift == "in sync" && i.healthy == true, "\(i)")
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
            let pid = try #require(healthy.report.instance(host: "app1", name: "main/1")?.process?.pid)
            #expect(try Self.ssh(kind.address(3), "kill -KILL \(pid)").status == 0)
            // Degraded, and named by its cause once its restart has failed (until then the last
            // log line is still the one before the kill).
            var degraded = (status: Int32(-1), report: Reports.status(""), text: "")
            #expect(CLITests.waitFor(15) {
                degraded = (try? Self.status(manifest)) ?? degraded
                let why = degraded.report.instance(host: "app1", name: "main/1")?.why ?? ""
                return degraded.status == 8 && why.contains("ModuleNotFoundError")
            }, "degraded, with the why")
            #expect(degraded.report.state == .degraded)
            let dead = try #require(degraded.report.instance(host: "app1", name: "main/1"))
            #expect(dead.healthy == false)
            #expect((dead.why)?.contains("ModuleNotFoundError: No module named 'hello'") == true, "\(dead)")
            #expect(degraded.report.instance(host: "app1", name: "main/0")?.healthy == true)
            _ = try Self.ssh(kind.address(3), "mv /srv/shop/app/hello.py.away /srv/shop/app/hello.py")
            try LabE2ETests.expectUp(manifest)

            // A config edited by hand on a host: drift, with the file named; still healthy.
            #expect(try Self.ssh(kind.address(2), "echo '# edited by hand' >> /srv/stackctl/shop/middle/nginx.conf").status == 0)
            let drifted = try Self.status(manifest)
            let middle = try #require(drifted.report.instance(host: "middle1", name: "nginx"))
            #expect(middle.drift == "changed on host")
            #expect(middle.driftFiles == ["/srv/stackctl/shop/middle/nginx.conf"])
            #expect(drifted.status == 0)

            // A host whose sshd is stopped: unreachable, exit 3, everything else still reported.
            // Its own connection: one kept open by an earlier run would still reach it.
            let restore = try kind.stopSSH(4)
            defer { restore() }
            let cut = try Self.status(manifest, ["--ssh-persist", "0"])
            #expect(cut.status == 3 && cut.report.state == .unreachable)
            #expect(cut.report.host("app2")?.reachable == false)
            #expect(cut.report.host("app2")?.error?.contains("Connection refused") == true)
            #expect(cut.report.instance(host: "app1", name: "main/0")?.healthy == true)
            #expect(cut.report.instance(host: "app2", name: "main/0")?.why == "host unreachable: ssh: connect to host \(kind.address(4)) port 22: Connection refused (ssh \(kind.address(4)))")
            #expect(cut.report.host("app2")?.destination == kind.address(4))
        }
    }
}
}
