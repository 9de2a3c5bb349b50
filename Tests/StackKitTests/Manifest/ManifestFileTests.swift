import Foundation
import Testing
@testable import StackKit

/// What is not a manifest file is named for what it is, before anything reads it (a FIFO
/// would block and /dev/zero never ends; both used to say "permission denied", even for root).
@Suite struct ManifestFileTests {
    static func message(_ path: String) -> String? {
        do {
            _ = try ManifestLoader.load(file: path)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func specialFilesAreNamedForWhatTheyAre() throws {
        let dir = try Fixtures.temporaryDirectory("special")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("deploy.yml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(Self.message(fifo) == "\(fifo): cannot read the manifest: it is a FIFO (named pipe), not a regular file")
        #expect(Self.message("/dev/zero") == "/dev/zero: cannot read the manifest: it is a character device, not a regular file")
        #expect(Self.message(dir.path) == "\(dir.path): cannot read the manifest: it is a directory, not a regular file")
    }

    @Test func aLinkToAManifestIsReadAndAHugeFileIsNot() throws {
        let dir = try Fixtures.temporaryDirectory("links")
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = dir.appendingPathComponent("real.yml").path, link = dir.appendingPathComponent("deploy.yml").path
        try BadManifestCases.valid.write(toFile: real, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        #expect(Self.message(link) == nil)
        let big = dir.appendingPathComponent("big.yml").path
        FileManager.default.createFile(atPath: big, contents: Data(count: ManifestLoader.maxBytes + 1))
        #expect(Self.message(big) == "\(big): cannot read the manifest: it is \(ManifestLoader.maxBytes + 1) bytes; a manifest is at most \(ManifestLoader.maxBytes) bytes")
    }

    @Test func aFileNameWithControlCharactersIsPrintedEscaped() {
        let error = ManifestFileError.unreadable(file: "/tmp/x\u{1B}[2Jy.yml", reason: "no such file")
        #expect(error.description == "/tmp/x\\u{1B}[2Jy.yml: cannot read the manifest: no such file")
        let d = ManifestError([Diagnostic(mark: Mark(line: 1, column: 1), path: "a\nb", message: "m")])
        #expect(d.formatted(file: "f\u{7}.yml") == "f\\u{07}.yml:1:1: a\\nb: m")
    }
}
