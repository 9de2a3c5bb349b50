import Foundation
import Testing
@testable import StackKit

/// Every file of every host, for each fixture with each middle server, against the files in
/// Tests/Fixtures/golden. `STACKCTL_UPDATE_GOLDEN=1 swift test --filter Golden` rewrites them;
/// review the diff before committing.
@Suite struct GoldenTests {
    /// A fixture without a middle tier once, as `direct-apache`.
    static let cases = Fixtures.manifestNames.flatMap { name in
        name == "direct" ? ["direct-apache"] : MiddleServer.allCases.map { "\(name)-\($0.rawValue)" }
    }

    static func manifest(_ label: String) throws -> Manifest {
        let parts = label.split(separator: "-")
        var m = try Fixtures.manifest(String(parts[0]))
        if let server = MiddleServer(rawValue: String(parts[1])) { m.middle.server = server }
        return m
    }

    static let launcherBody = "# (body: LauncherScript.source, checked on its own)\n"

    /// Every file by `HOST/PATH`. A launcher's body is the same constant everywhere, so its golden
    /// copy keeps only what differs per pool (the interpreter line and the header).
    static func flatten(_ hosts: [HostRender]) -> [String: String] {
        var files: [String: String] = [:]
        for host in hosts {
            for file in host.files {
                var contents = file.contents
                if file.path.hasSuffix("/launcher.py"), let body = contents.range(of: LauncherScript.source) {
                    contents = String(contents[..<body.lowerBound]) + launcherBody
                }
                files["\(host.host.name)\(file.path)"] = contents
            }
        }
        return files
    }

    @Test func everyLauncherIsItsInterpreterLineHeaderAndTheSharedBody() throws {
        for label in Self.cases {
            for host in StackRenderer(try Self.manifest(label)).renderAll() {
                for file in host.files where file.path.hasSuffix("/launcher.py") {
                    let lines = file.contents.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
                    #expect(lines[0].hasPrefix("#!/") && lines[1].hasPrefix("# Rendered by stackctl"))
                    #expect(String(lines[2]) == LauncherScript.source, "\(label) \(host.host.name) \(file.path)")
                }
            }
        }
    }

    @Test(arguments: cases)
    func renderedFilesMatchTheGoldenCopies(label: String) throws {
        let rendered = Self.flatten(StackRenderer(try Self.manifest(label)).renderAll())
        let root = Fixtures.directory.appendingPathComponent("golden/\(label)")
        let fm = FileManager.default
        if ProcessInfo.processInfo.environment["STACKCTL_UPDATE_GOLDEN"] == "1" {
            try? fm.removeItem(at: root)
            for (path, contents) in rendered {
                let url = root.appendingPathComponent(path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try contents.write(to: url, atomically: true, encoding: .utf8)
            }
        }
        var golden: [String: String] = [:]
        let enumerator = try #require(fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
        for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let relative = String(url.path.dropFirst(root.path.count + 1))
            golden[relative] = try String(contentsOf: url, encoding: .utf8)
        }
        #expect(Set(rendered.keys) == Set(golden.keys))
        for (path, contents) in rendered.sorted(by: { $0.key < $1.key }) {
            #expect(contents == golden[path], "\(label)/\(path) differs from its golden copy")
        }
    }

    @Test(arguments: cases)
    func renderingIsDeterministic(label: String) throws {
        let m = try Self.manifest(label)
        #expect(StackRenderer(m).renderAll() == StackRenderer(m).renderAll())
        // A parse of the same text gives the same files too (no hash-order leaks).
        let again = try Self.manifest(label)
        #expect(Self.flatten(StackRenderer(m).renderAll()) == Self.flatten(StackRenderer(again).renderAll()))
    }
}
