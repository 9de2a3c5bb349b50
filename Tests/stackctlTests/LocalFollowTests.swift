import Foundation
import StackKit
import Synchronization
import Testing

extension Lab {
    /// A local follow (`local: true` hosts, and the same machinery as over ssh). It runs with the
    /// lab's serialized tests: a follow's tasks need the concurrency pool's few threads, which
    /// the parallel unit suites can hold for a minute with their blocking waits.
    @Suite struct LocalFollowTests {

    @Test func aFollowHandsOverNewLinesAndEndsItsTailWhenCancelled() async throws {
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("w.log")
        try "old\n".write(to: log, atomically: true, encoding: .utf8)
        let seen = Mutex<[String]>([])
        let command = Scripts.logs([.file(name: "w", path: log.path)], lines: 1, follow: true)
        let task = Task { try await LocalTransport(hostName: "here").follow(command) { l in seen.withLock { $0.append(l) } } }
        #expect(await Self.until(10) { seen.withLock { $0 } == ["w old"] })
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        handle.write(Data("new line\n".utf8))
        try handle.close()
        #expect(await Self.until(10) { seen.withLock { $0 } == ["w old", "w new line"] })
        task.cancel()
        _ = try? await task.value
        // The shell saw its stdin end and took its process group down: no tail of this file is left.
        #expect(await Self.until(10) { !Self.tailing(log.path) }, "a tail of \(log.path) is still running")
    }

    /// Polls without holding a thread (the follow's own tasks need the pool's few threads).
    static func until(_ seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    static func tailing(_ path: String) -> Bool {
        let procs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return procs.contains { pid in
            guard Int(pid) != nil, let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: cmd, as: UTF8.self).contains(path) && String(decoding: cmd, as: UTF8.self).hasPrefix("tail")
        }
    }
    }
}
