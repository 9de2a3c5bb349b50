import Foundation
import Testing
@testable import StackKit

/// Programs are found on PATH by the controller itself, once, as a shell finds them.
@Suite struct ProgramPathTests {
    @Test func theFirstExecutableFileOnThePathIsFound() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("programpath-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        for dir in ["a", "b", "c", "d"] { try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true) }
        // a/tool is a directory, b/tool a file that may not be run, c/tool the program, d/tool another.
        try fm.createDirectory(at: root.appendingPathComponent("a/tool"), withIntermediateDirectories: true)
        try Data("#!/bin/sh\n".utf8).write(to: root.appendingPathComponent("b/tool"))
        for dir in ["c", "d"] {
            let file = root.appendingPathComponent("\(dir)/tool")
            try Data("#!/bin/sh\n".utf8).write(to: file)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        let path = ["a", "b", "c", "d"].map { root.appendingPathComponent($0).path }.joined(separator: ":")
        #expect(ProgramPath.find("tool", in: path) == root.appendingPathComponent("c/tool").path)
        #expect(ProgramPath.find("missing", in: path) == nil)
        #expect(ProgramPath.find("/bin/sh", in: path) == "/bin/sh", "a path is taken as it is")
        #expect(ProgramPath.find("sh", in: nil) != nil, "no PATH: /usr/bin and /bin")
        #expect(ProgramPath.find("timeout", in: ProcessInfo.processInfo.environment["PATH"])?.hasSuffix("/timeout") == true)
    }
}
