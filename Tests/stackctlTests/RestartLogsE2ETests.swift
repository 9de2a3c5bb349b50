import Foundation
import Synchronization
import Testing
import StackKit

extension Lab {
    /// `restart` under load drops no request and gives the workers new pids; `logs` reads every
    /// host's logs with host prefixes and follows them until Ctrl-C, leaving nothing running.
    @Suite(.serialized, .needsLab) struct RestartLogsE2ETests {
        static func pids(_ manifest: String) throws -> [String: Int] {
            var out: [String: Int] = [:]
            for i in try StatusE2ETests.status(manifest).report.instances {
                if let pid = i.process?.pid { out["\(i.host) \(i.name)"] = pid }
            }
            return out
        }

        @Test(arguments: LabKind.allCases)
        func restartDropsNothingAndLogsFollowAcrossHosts(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "lighttpd", kind: kind) { dir, manifest in
                let cfg = LabE2ETests.sshConfig
                try LabE2ETests.expectUp(manifest)
                let before = try Self.pids(manifest)

                // A rolling restart of pool main under steady load: no failed request.
                var restart = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load = try RolloutE2ETests.underLoad(dir, front: kind.front) {
                    restart = try CLITests.stackctl(["restart", "main", "-f", manifest, "-F", cfg, "--json"])
                }
                #expect(restart.status == 0, "\(restart.stdout)")
                #expect(load["errors"] as? Int == 0 && load["non_2xx"] as? Int == 0 && (load["ok"] as? Int ?? 0) > 50, "\(load)")
                let after = try Self.pids(manifest)
                for (name, pid) in before where name.contains(" main/") { #expect(after[name] != pid, "\(name) restarted") }
                for (name, pid) in before where name.contains(" admin/") || name.contains("lighttpd") { #expect(after[name] == pid, "\(name) untouched") }
                #expect(restart.stderr.contains("main: draining app1") && restart.stderr.contains("main: putting app2 back"), "\(restart.stderr)")

                // The middle, in place; then everything is healthy.
                #expect(try CLITests.stackctl(["restart", "middle", "-f", manifest, "-F", cfg]).status == 0)
                #expect(try Self.pids(manifest)["middle1 lighttpd"] != before["middle1 lighttpd"])
                #expect(try StatusE2ETests.status(manifest).status == 0)
                #expect(try CLITests.stackctl(["restart", "nope", "-f", manifest, "-F", cfg]).status == 64)

                // The last lines of pool main's logs on both of its hosts, each line prefixed.
                let logs = try CLITests.stackctl(["logs", "main", "-n", "3", "--file", manifest, "-F", cfg])
                #expect(logs.status == 0)
                let lines = logs.stdout.split(separator: "\n")
                let sources = Set(lines.map { $0.split(separator: " ").prefix(2).joined(separator: " ") })
                let unit = { (h: String, n: Int) in kind == .plain ? "\(h) shop-main-\(n):" : "\(h) shop-main@\(n).service:" }
                #expect(sources.isSuperset(of: [unit("app1", 0), unit("app1", 1), unit("app2", 0), unit("app2", 1)]), "\(logs.stdout)")
                #expect(lines.allSatisfy { $0.hasPrefix("app1 ") || $0.hasPrefix("app2 ") })

                // Following app1: a restart's lines arrive as they are written; Ctrl-C ends it, on
                // the host too.
                let follow = Process()
                follow.executableURL = URL(fileURLWithPath: CLITests.binary)
                follow.arguments = ["logs", "main", "--host", "app1", "-n", "0", "-f", "--file", manifest, "-F", cfg]
                let out = dir.appendingPathComponent("follow.out")
                FileManager.default.createFile(atPath: out.path, contents: nil)
                follow.standardOutput = try FileHandle(forWritingTo: out)
                try follow.run()
                Thread.sleep(forTimeInterval: 1.5)
                #expect(try CLITests.stackctl(["restart", "main", "--hosts", "app1", "-f", manifest, "-F", cfg]).status == 0)
                let followed = { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
                #expect(CLITests.waitFor(15) { followed().contains("\(unit("app1", 0)) ") && followed().contains("stopped") }, "\(followed())")
                #expect(!followed().contains("app2 "))
                kill(follow.processIdentifier, SIGINT)
                follow.waitUntilExit()
                #expect(follow.terminationStatus == 0)
                let reader = kind == .plain ? "tail -n 0 -F /srv/stackctl/shop/log" : "journalctl -u shop-main"
                #expect(CLITests.waitFor(10) {
                    (try? StatusE2ETests.ssh(kind.address(3), "ps -eo args | grep -c '^\(reader)'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == "0"
                }, "the follow's readers are gone from app1")
            }
        }
    }
}
