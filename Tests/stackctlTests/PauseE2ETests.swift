import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// A canary on the lab under steady load: `rollout --pause` moves one host and keeps the
    /// lock, `status` shows the canary's share of the middle's requests, `rollout --continue`
    /// moves the rest; a second pause is ended by `rollback`. No request fails throughout.
    @Suite(.needsLab) struct PauseE2ETests {
        static func run(_ args: [String], _ manifest: String) throws -> CLITests.Result {
            try CLITests.stackctl(args + ["-f", manifest, "-F", LabE2ETests.sshConfig])
        }

        static func waitForCanaryTraffic(_ manifest: String) throws -> StatusReport {
            var report = try StatusE2ETests.status(manifest).report
            for _ in 0..<20 where (report.canary?.hosts.filter { $0.requests > 0 }.count ?? 0) < 3 {
                Thread.sleep(forTimeInterval: 0.5)
                report = try StatusE2ETests.status(manifest).report
            }
            return report
        }

        @Test(arguments: [("lighttpd", LabKind.plain), ("nginx", LabKind.systemd)])
        func aPausedCanaryContinuedThenAnotherRolledBack(server: String, kind: LabKind) throws {
            try LabE2ETests.withApp { dir in
                let manifest = try RolloutE2ETests.releasesManifest(dir, server: server, kind: kind)
                defer {
                    _ = try? Self.run(["lock", "release"], manifest)
                    _ = try? Self.run(["down"], manifest)
                }
                try LabE2ETests.expectUp(manifest)
                let first = try RolloutE2ETests.releases(manifest)

                try RolloutE2ETests.edit(dir) { $0 + "\n# v2\n" }
                var paused = CLITests.Result(status: -1, stdout: "", stderr: "")
                var status: StatusReport?
                var refused = CLITests.Result(status: -1, stdout: "", stderr: "")
                var resumed = CLITests.Result(status: -1, stdout: "", stderr: "")
                var between: [String: String] = [:]
                var shown = ""
                let load = try RolloutE2ETests.underLoad(dir, front: kind.front) {
                    paused = try Self.run(["rollout", "main", "--pause"], manifest)
                    between = try RolloutE2ETests.releases(manifest)
                    status = try Self.waitForCanaryTraffic(manifest)
                    shown = try Self.run(["status"], manifest).stdout
                    refused = try Self.run(["up"], manifest)
                    resumed = try Self.run(["rollout", "--continue"], manifest)
                }
                #expect(paused.status == 0 && paused.stdout.contains("rollout PAUSED in"), "\(paused.stdout)\(paused.stderr)")
                let onApp1 = between.filter { $0.key.hasPrefix("app1 ") }.values, others = between.filter { !$0.key.hasPrefix("app1 ") }.values
                #expect(Set(onApp1).count == 1 && !Set(first.values).contains(onApp1.first!), "the canary moved: \(between)")
                #expect(Set(others) == Set(first.values), "the others did not: \(between)")

                let canary = try #require(status?.canary, "status shows the canary's traffic")
                #expect(status?.paused?.paused?.moved == ["app1"])
                #expect(canary.hosts.map(\.host) == ["app1", "app2", "app3"] && canary.hosts.map(\.canary) == [true, false, false])
                #expect(canary.hosts.allSatisfy { $0.requests > 0 }, "the canary serves beside the others: \(canary.summary)")
                #expect(shown.contains("PAUSED rollout of pool main at release \(onApp1.first!) on app1"), "\(shown)")
                #expect(shown.contains("requests to pool main since the pause, counted by the middle: app1 (canary) "), "\(shown)")

                #expect(refused.status == 10 && refused.stdout.contains("locked by a paused rollout (pool main at release")
                        && refused.stdout.contains("'stackctl rollout --continue' promotes it"), "\(refused.stdout)")
                #expect(resumed.status == 0, "\(resumed.stderr)")
                let second = try RolloutE2ETests.releases(manifest)
                #expect(Set(second.values) == [onApp1.first!], "every host on the canary's release: \(second)")
                #expect(load["errors"] as? Int == 0 && load["non_2xx"] as? Int == 0 && (load["ok"] as? Int ?? 0) > 100, "\(server): \(load)")

                // A second canary, ended by rollback: app1 goes back, the lock goes.
                try RolloutE2ETests.edit(dir) { $0 + "\n# v3\n" }
                var back = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load2 = try RolloutE2ETests.underLoad(dir, front: kind.front) {
                    #expect(try Self.run(["rollout", "main", "--pause"], manifest).status == 0)
                    back = try Self.run(["rollback"], manifest)
                }
                #expect(back.status == 0, "\(back.stderr)")
                #expect(try RolloutE2ETests.releases(manifest) == second, "the canary is back on the release the others run")
                #expect(try Self.run(["lock", "status"], manifest).stdout.contains("front1: free"))
                #expect(load2["errors"] as? Int == 0 && load2["non_2xx"] as? Int == 0, "\(server): \(load2)")
                let history = try Self.run(["history", "-n", "3"], manifest).stdout
                #expect(history.contains("rollout main --pause  paused") && history.contains("rollback  ok"), "\(history)")
            }
        }
    }
}
