import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// A release command that runs too long, or whose run is stopped, is ended on the host, with
    /// every process it started, and nothing switches.
    @Suite(.needsLab) struct ReleaseHookE2ETests {
        /// Whether a process whose command line holds `marker` still runs on this machine (every
        /// lab host's processes are visible from here).
        static func running(_ marker: String) -> Bool {
            ((try? CLITests.capture(["/usr/bin/pgrep", "-f", marker]).status) ?? 1) == 0
        }

        @Test(arguments: LabKind.allCases)
        func aHookPastItsTimeoutOrStoppedBySIGTERMIsEndedOnTheHost(kind: LabKind) throws {
            try LabE2ETests.withApp { dir in
                let manifest = dir.appendingPathComponent("releases.yml").path
                let marker = "stackctl-hook-\(UUID().uuidString.prefix(8))"
                func write(timeout: String) throws {
                    // A release no host has had yet, so its command runs.
                    try RolloutE2ETests.edit(dir) { $0 + "\n# \(UUID().uuidString)\n" }
                    let hook = #"python -c 'import time; print("migration started", flush=True); time.sleep(300)' "# + marker
                    try editYAML(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/releases.yml"), encoding: .utf8)) {
                        try kind.adapt(&$0)
                        // A stack of its own: its releases that never went live stay out of shop's.
                        try $0.set("name", .scalar("hookshop", quoted: false))
                        try $0.set("base", .scalar("/srv/stackctl/hookshop", quoted: false))
                        try $0.set("pools.main.release_command", .text(hook))
                        try $0.set("pools.main.release_command_timeout", .scalar(timeout, quoted: false))
                    }.write(toFile: manifest, atomically: true, encoding: .utf8)
                }
                defer {
                    _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig])
                    for n in 1...6 { try? FileManager.default.removeItem(atPath: "\(kind.dir)\(n)/srv/stackctl/hookshop") }
                }

                try write(timeout: "2s")
                let timedOut = try CLITests.stackctl(["up", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(timedOut.status == 7, "\(timedOut.stderr)")
                let said = timedOut.stdout + timedOut.stderr
                #expect(said.contains("the release_command of main failed in release ")
                    && said.contains("(timed out after 2 s; its processes were ended); its last line: migration started"), "\(said)")
                #expect(CLITests.waitFor(15) { !Self.running(marker) }, "the command's processes were ended")

                try write(timeout: "10m")
                let status = try OperatorE2ETests.upStopped(manifest, at: "migration started", with: SIGTERM)
                #expect(status == 143, "up exited \(status)")
                #expect(CLITests.waitFor(15) { !Self.running(marker) }, "SIGTERM ended the command on the host")
                #expect(try CLITests.stackctl(["lock", "status", "-f", manifest, "-F", LabE2ETests.sshConfig]).status == 0, "the lock was let go")
            }
        }
    }
}
