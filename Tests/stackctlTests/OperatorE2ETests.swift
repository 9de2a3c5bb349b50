import Foundation
import Synchronization
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// plan, the deploy lock, history, and interrupts, on the lab's plain hosts with the real binary.
    @Suite(.serialized, .needsLab) struct OperatorE2ETests {
        static let kind = LabKind.plain

        static func run(_ args: [String], _ manifest: String) throws -> CLITests.Result {
            try CLITests.stackctl(args + ["-f", manifest, "-F", LabE2ETests.sshConfig])
        }

        /// The middle host's lighttpd.conf, as the lab host has it.
        static var middleConfig: String { "\(kind.dir)2/srv/stackctl/shop/middle/lighttpd.conf" }

        /// Files left staged on any lab host of this kind.
        static func staged() -> [String] {
            (1...6).flatMap { n -> [String] in
                let root = "\(kind.dir)\(n)/srv/stackctl"
                let all = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
                return all.filter { $0.hasSuffix(".stackctl-new") }.map { "lab\(n): \($0)" }
            }
        }

        @Test func planShowsWhatUpWouldDoAndChangesNothing() throws {
            guard LabE2ETests.lab != nil else {
                Issue.record("STACKCTL_LAB is not set: a test that needs the lab carries .needsLab")
                return
            }
            let dir = try CLITests.scratch()
            defer { try? FileManager.default.removeItem(at: dir) }
            let manifest = try LabE2ETests.manifest(server: "lighttpd", kind: Self.kind, in: dir)
            defer { _ = try? Self.run(["down"], manifest) }
            #expect(try Self.run(["up"], manifest).status == 0)
            let clean = try Self.run(["plan"], manifest)
            #expect(clean.status == 0 && clean.stdout.hasSuffix("plan: nothing to do\n"), "\(clean.stdout)")

            // A hand edit on the middle host: plan shows the diff that would undo it, and leaves it.
            let edited = try String(contentsOfFile: Self.middleConfig, encoding: .utf8) + "# hand edit\n"
            try edited.write(toFile: Self.middleConfig, atomically: true, encoding: .utf8)
            let drift = try Self.run(["up", "--dry-run", "--json"], manifest)
            #expect(drift.status == 2)
            let plan = try #require(Reports.decode(PlanReport.self, drift.stdout))
            let middle = try #require(plan.hosts.first { $0.host == "middle1" })
            let file = try #require(middle.files.first)
            #expect(file.change == "update" && file.path == "/srv/stackctl/shop/middle/lighttpd.conf")
            #expect(file.diff.contains("\n-# hand edit\n"), "\(file)")
            #expect(middle.actions == ["middle: reload shop-middle"])
            #expect(plan.hosts.filter { $0.host != "middle1" }.allSatisfy { $0.files.isEmpty })
            #expect(try String(contentsOfFile: Self.middleConfig, encoding: .utf8) == edited, "plan changed nothing")

            // A manifest change: a third instance of pool main would start on both of its hosts.
            let more = dir.appendingPathComponent("more.yml").path
            try editYAML(try String(contentsOfFile: manifest, encoding: .utf8)) { try $0.set("pools.main.instances", "3") }
                .write(toFile: more, atomically: true, encoding: .utf8)
            let grown = try Self.run(["plan"], more)
            #expect(grown.status == 2)
            #expect(grown.stdout.contains("workers: start shop-main:shop-main-2"), "\(grown.stdout)")
            #expect(try Self.run(["up"], manifest).status == 0)
            #expect(try Self.run(["plan"], manifest).status == 0)
        }

        @Test func aHeldLockStopsUpNamingItsHolderUntilReleasedAndHistoryRecordsRuns() throws {
            guard LabE2ETests.lab != nil else { Issue.record("STACKCTL_LAB is not set: a test that needs the lab carries .needsLab"); return }
            let dir = try CLITests.scratch()
            defer { try? FileManager.default.removeItem(at: dir) }
            let manifest = try LabE2ETests.manifest(server: "lighttpd", kind: Self.kind, in: dir)
            defer { _ = try? Self.run(["down"], manifest) }
            #expect(try Self.run(["up"], manifest).status == 0)

            // A lock left on one host by a run on another machine.
            let lock = "\(Self.kind.dir)3/srv/stackctl/shop/.stackctl.lock"
            try #"{"command":"rollout main","machine":"elsewhere","pid":99,"started":"2026-11-22T10:00:00Z","token":"t-x","user":"bob"}"#
                .appending("\n").write(toFile: lock, atomically: true, encoding: .utf8)
            let refused = try Self.run(["up"], manifest)
            #expect(refused.status == 10)
            #expect(refused.stdout.contains("the stack is locked by bob@elsewhere (rollout main, pid 99, since 2026-11-22T10:00:00Z) on app1"), "\(refused.stdout)")
            let status = try Self.run(["lock", "status"], manifest)
            #expect(status.status == 10 && status.stdout.contains("app1: locked by bob@elsewhere") && status.stdout.contains("front1: free"), "\(status.stdout)")
            #expect(try Self.run(["lock", "release"], manifest).status == 0)
            #expect(!FileManager.default.fileExists(atPath: lock))
            #expect(try Self.run(["lock", "status"], manifest).status == 0)

            // A change (the admin pool's greeting) is recorded on the host it changed, by run.
            let changed = dir.appendingPathComponent("changed.yml").path
            try editYAML(try String(contentsOfFile: manifest, encoding: .utf8)) { try $0.set("pools.admin.env.APP_GREETING", "hi from admin") }
                .write(toFile: changed, atomically: true, encoding: .utf8)
            #expect(try Self.run(["up"], changed).status == 0)
            let history = try Self.run(["history", "-n", "1", "--json"], changed)
            #expect(history.status == 0)
            let runs = try #require(Reports.decode([HistoryRun].self, history.stdout))
            let last = try #require(runs.last)
            #expect(last.command == "up" && last.outcome == "ok")
            let hosts = last.hosts.map(\.host)
            #expect(hosts == ["admin1"], "only the host the run changed: \(hosts)")
            #expect(try Self.run(["history", "--host", "nope"], changed).status == 64)
        }

        /// A run stopped at each phase boundary (SIGINT, SIGTERM, or SIGKILL) leaves the stack
        /// repairable: no staged file after a clean stop, the lock free, and the next `up`
        /// brings everything up healthy.
        @Test func stoppedAtEachPhaseTheNextUpRepairsEverything() throws {
            guard LabE2ETests.lab != nil else { Issue.record("STACKCTL_LAB is not set: a test that needs the lab carries .needsLab"); return }
            let dir = try CLITests.scratch()
            defer { try? FileManager.default.removeItem(at: dir) }
            let manifest = try LabE2ETests.manifest(server: "lighttpd", kind: Self.kind, in: dir)
            defer { _ = try? Self.run(["down"], manifest) }
            var figures: [String] = []
            let original = try String(contentsOfFile: manifest, encoding: .utf8)
            for (n, (boundary, signal)) in [("inspecting", SIGINT), ("uploading and validating", SIGTERM), ("workers: activating", SIGINT),
                                            ("middle: activating", SIGKILL), ("front: activating", SIGINT), ("uploading and validating", SIGKILL)].enumerated() {
                // Every tier stopped, and a changed pool.json to upload: each boundary comes.
                #expect(try Self.run(["down"], manifest).status == 0)
                try editYAML(original) { try $0.set("pools.main.env.APP_GREETING", .scalar("hello from main \(n)", quoted: false)) }
                    .write(toFile: manifest, atomically: true, encoding: .utf8)
                let status = try Self.upStopped(manifest, at: boundary, with: signal)
                if signal != SIGKILL {
                    // Stopped at the next safe point (or finished, if the signal came after the last one).
                    #expect(status == 128 + signal || status == 0, "\(boundary): up exited \(status)")
                    #expect(Self.staged().isEmpty, "\(boundary): staged files left: \(Self.staged())")
                    #expect(try Self.run(["lock", "status"], manifest).status == 0, "\(boundary): the lock was left")
                }
                let again = try Self.run(["up"], manifest)
                #expect(again.status == 0, "after \(boundary) + signal \(signal): \(again.stdout)\(again.stderr)")
                #expect(try StatusE2ETests.status(manifest).status == 0, "after \(boundary) + signal \(signal)")
                figures.append("\(boundary) + \(signal == SIGKILL ? "SIGKILL" : signal == SIGTERM ? "SIGTERM" : "SIGINT"): exit \(status)")
            }
            print("up stopped at each phase:\n  " + figures.joined(separator: "\n  "))
        }

        /// Ctrl-C while the workers' gate waits on probes that hang (every answer takes 100 s, the
        /// probe's timeout is 10 s): up ends with 130 promptly, the lock free and nothing staged,
        /// and the next up with the app mended is healthy. The seconds from the signal to the
        /// exit are printed, not asserted.
        @Test func ctrlCDuringAGateWithProbesInFlightEndsPromptly() throws {
            try LabE2ETests.withStack(server: "nginx", kind: Self.kind) { _, manifest in
                try LabE2ETests.expectUp(manifest)
                let original = try String(contentsOfFile: manifest, encoding: .utf8)
                var figures: [String] = []
                for delay in [2.0, 7.0] {
                    // A changed pool each time: its workers restart, and their gate waits.
                    try editYAML(original) {
                        try $0.set("pools.main.env.APP_DELAY", .scalar("100", quoted: true))
                        try $0.set("pools.main.env.APP_GREETING", .scalar("slow \(delay)", quoted: true))
                        try $0.set("pools.main.health", .map([.init(key: "path", value: "/"), .init(key: "timeout", value: "10s")]))
                    }.write(toFile: manifest, atomically: true, encoding: .utf8)
                    let stopped = try Self.upStopped(manifest, at: "workers: activating", after: delay, with: SIGINT)
                    #expect(stopped.status == 130, "\(stopped.progress)")
                    #expect(Self.staged().isEmpty)
                    #expect(try Self.run(["lock", "status"], manifest).status == 0, "the lock was left")
                    figures.append(String(format: "SIGINT %.0f s into the workers' activation and gate: exit %d after %.2f s", delay, stopped.status, stopped.seconds))
                    // The app mended: the next up is healthy.
                    try original.write(toFile: manifest, atomically: true, encoding: .utf8)
                    let again = try LabE2ETests.up(manifest)
                    #expect(again.status == 0, "\(again.report.failure ?? "")")
                    // nginx's worker processes each keep the hung workers marked down for
                    // fail_timeout (20 s): the front may answer 502 until then.
                    #expect(CLITests.waitFor(40) { (try? StatusE2ETests.status(manifest).status) == 0 })
                }
                print("ctrl-c during a gate:\n  " + figures.joined(separator: "\n  "))
            }
        }

        /// Runs `up`, sends `signal` when its progress first shows `boundary`, and returns its exit status.
        static func upStopped(_ manifest: String, at boundary: String, with signal: Int32) throws -> Int32 {
            try upStopped(manifest, at: boundary, after: 0, with: signal).status
        }

        /// Runs `up`, sends `signal` `delay` seconds after its progress first shows `boundary`,
        /// and returns its exit status, its progress, and the seconds from the signal to its exit.
        static func upStopped(_ manifest: String, at boundary: String, after delay: Double, with signal: Int32) throws
            -> (status: Int32, progress: String, seconds: Double) {
            let sent = Mutex(false)
            let signalled = Mutex<Date?>(nil)
            let pid = Mutex<Int32>(0)
            let run = try Running(["up", "-f", manifest, "-F", LabE2ETests.sshConfig]) { text in
                if text.contains(boundary), sent.withLock({ s in defer { s = true }; return !s }) {
                    DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
                        signalled.withLock { $0 = Date() }
                        kill(pid.withLock { $0 }, signal)
                    }
                }
            }
            pid.withLock { $0 = run.pid }
            let status = run.finish()
            let exited = Date()
            #expect(sent.withLock { $0 }, "'\(boundary)' never showed: \(run.progress)")
            return (status, run.progress, signalled.withLock { $0 }.map { exited.timeIntervalSince($0) } ?? -1)
        }
    }
}
