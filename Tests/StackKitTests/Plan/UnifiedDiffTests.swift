import Foundation
import Testing
@testable import StackKit

@Suite struct UnifiedDiffTests {
    /// What `diff -u` prints for the same two texts, labels replaced.
    static func gnu(_ old: String, _ new: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("udiff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try old.write(to: dir.appendingPathComponent("a"), atomically: true, encoding: .utf8)
        try new.write(to: dir.appendingPathComponent("b"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
        p.arguments = ["-u", "--label", "old", "--label", "new", "a", "b"]
        p.currentDirectoryURL = dir
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func sameTextsHaveNoDiff() {
        #expect(UnifiedDiff.diff(old: "a\nb\n", new: "a\nb\n", from: "old", to: "new") == "")
    }

    @Test func aNewFileIsAllAdded() {
        #expect(UnifiedDiff.diff(old: "", new: "x\ny\n", from: "/dev/null", to: "f") == "--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+x\n+y\n")
    }

    /// The same output as GNU diff, on edits of every shape: a changed line, far apart changes
    /// (two hunks), changes close enough to share one, a removed head, added tail, and a
    /// missing final newline on either side; and on seeded random edits of a config.
    @Test func matchesGNUDiff() throws {
        let base = (1...40).map { "line \($0)" }
        func text(_ lines: [String], newline: Bool = true) -> String { lines.joined(separator: "\n") + (newline && !lines.isEmpty ? "\n" : "") }
        var cases: [(String, String)] = [
            (text(base), text(base.map { $0 == "line 20" ? "line twenty" : $0 })),
            (text(base), text(base.map { $0 == "line 3" || $0 == "line 35" ? $0 + "!" : $0 })),
            (text(base), text(base.map { $0 == "line 10" || $0 == "line 16" ? $0 + "!" : $0 })),
            (text(base), text(Array(base.dropFirst(5)))),
            (text(base), text(base + ["extra 1", "extra 2"])),
            (text(base), text(base, newline: false)),
            (text(base, newline: false), text(base.dropLast() + ["last"], newline: false)),
            ("one\n", "two\n"),
        ]
        var rng = FuzzTests.SplitMix(state: 7)
        for _ in 0..<40 {
            var lines = base
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let at = Int.random(in: 0..<lines.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: lines.remove(at: at)
                case 1: lines.insert("new \(at)", at: at)
                default: lines[at] = "changed \(at)"
                }
            }
            cases.append((text(base), text(lines)))
        }
        for (old, new) in cases {
            let ours = UnifiedDiff.diff(old: old, new: new, from: "old", to: "new")
            let theirs = try Self.gnu(old, new)
            // Both are minimal; where several minimal scripts exist they may pick differently,
            // so the hunks must agree on what they cover and each must apply.
            #expect(try Self.apply(ours, to: old) == new, "\(ours)")
            #expect(Self.headers(ours).count == Self.headers(theirs).count, "ours:\n\(ours)\ndiff -u:\n\(theirs)")
            #expect(Self.changeCount(ours) == Self.changeCount(theirs), "ours:\n\(ours)\ndiff -u:\n\(theirs)")
        }
    }

    static func headers(_ diff: String) -> [Substring] { diff.split(separator: "\n").filter { $0.hasPrefix("@@") } }

    /// Lines removed and added, over all hunks.
    static func changeCount(_ diff: String) -> Int {
        diff.split(separator: "\n").filter { ($0.hasPrefix("+") && !$0.hasPrefix("+++")) || ($0.hasPrefix("-") && !$0.hasPrefix("---")) }.count
    }

    /// GNU patch applies the diff to `old` exactly (no fuzz, no offset): the result.
    static func apply(_ diff: String, to old: String) throws -> String? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("upatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f"), patch = dir.appendingPathComponent("p")
        try old.write(to: file, atomically: true, encoding: .utf8)
        try diff.write(to: patch, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/patch")
        p.arguments = ["--quiet", "--fuzz=0", "--force", "--no-backup-if-mismatch", file.path, patch.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return try String(contentsOf: file, encoding: .utf8)
    }
}
