import Foundation
import Synchronization
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// Two runs at once: the second, with `--lock-wait`, waits for the first to finish, saying
    /// who holds the lock, then deploys; both succeed.
    @Suite(.needsLab) struct LockWaitE2ETests {
        @Test(arguments: LabKind.allCases)
        func aSecondRunWaitsForTheFirst(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, manifest in
                try LabE2ETests.expectUp(manifest)
                // The first run restarts pool main, whose answers take 2 s (slow from 10 s): its gate takes a while.
                let original = try String(contentsOfFile: manifest, encoding: .utf8)
                try editYAML(original) {
                    try $0.set("pools.main.env.APP_DELAY", .scalar("2", quoted: true))
                    try $0.set("pools.main.health", .map([.init(key: "path", value: "/"), .init(key: "slow", value: "10s")]))
                    try $0.set("middle.health.slow", "10s")
                    try $0.set("front.health.slow", "10s")
                }.write(toFile: manifest, atomically: true, encoding: .utf8)
                let first = try Running(["up", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(CLITests.waitFor(60) { first.progress.contains("workers: activating") })
                let second = try CLITests.stackctl(["up", "-f", manifest, "-F", LabE2ETests.sshConfig, "--lock-wait", "120"])
                let firstStatus = first.finish()
                #expect(firstStatus == 0, "\(first.progress)")
                #expect(second.status == 0, "\(second.stderr)")
                #expect(second.stderr.contains("waiting for the lock (up to 120 s): held by ") && second.stderr.contains("(up, pid \(first.pid), since"),
                        "\(second.stderr)")
                try original.write(toFile: manifest, atomically: true, encoding: .utf8)
                try LabE2ETests.expectUp(manifest)
            }
        }
    }
}
