import Foundation
@testable import StackKit

/// Paths and helpers shared by the tests.
enum Fixtures {
    static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static let directory = repoRoot.appendingPathComponent("Tests/Fixtures")
    static let manifestNames = ["small", "full", "ha", "direct"]

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)
    }

    static func manifest(_ name: String) throws -> Manifest {
        try ManifestLoader.parse(try text("manifests/\(name).yml"))
    }

    /// The diagnostics a manifest text produces, formatted as `validate` prints them (without file name).
    static func problems(_ yaml: String) -> [String] {
        do {
            _ = try ManifestLoader.parse(yaml)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    /// A supervisord.conf as its parser can check it here: on a host the pools' own accounts
    /// are made before the check, so root stands in for them.
    static func ownAccountsAsRoot(_ conf: String, _ manifest: Manifest) -> String {
        manifest.pools.filter(\.ownUser).map(\.user).reduce(conf) { $0.replacingOccurrences(of: "\nuser=\($1)\n", with: "\nuser=root\n") }
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stackctl-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A manifest whose on-host paths all live under `root`, so real servers can check and run it here.
    static func rebased(_ manifest: Manifest, under root: String, python: String = "/usr/bin/python3") -> Manifest {
        var m = manifest
        func move(_ path: String) -> String { root + path }
        m.base = move(m.base)
        m.middle.staticRoot = move(m.middle.staticRoot)
        m.middle.aliases = m.middle.aliases.map { StaticAlias(url: $0.url, directory: move($0.directory)) }
        m.pools = m.pools.map { pool in
            var p = pool
            p.directory = move(p.directory)
            p.virtualenv = nil
            p.python = python
            return p
        }
        return m
    }
}

/// Runs a program and collects its exit status and output.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String

    static func which(_ name: String) -> String? {
        for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"] {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    @discardableResult
    static func run(_ argv: [String], environment: [String: String]? = nil, input: Data? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        // Output goes to files, so a chatty child can never block on a full pipe.
        let dir = FileManager.default.temporaryDirectory
        let outURL = dir.appendingPathComponent("run-\(UUID().uuidString).out")
        let errURL = dir.appendingPathComponent("run-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        if let input {
            let inURL = dir.appendingPathComponent("run-\(UUID().uuidString).in")
            try input.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
            try? FileManager.default.removeItem(at: inURL)
        }
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Real servers must be here when scripts/test runs; a bare `swift test` may skip them.
}
