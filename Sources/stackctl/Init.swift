import ArgumentParser
import Foundation
import StackKit

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the example manifest (all tiers on this machine) to start from, ./static (the static directory it ships) "
            + "and sample hooks in .stackctl/hooks.",
        discussion: ExitStatus.help([.usage, .cannotWrite]))

    @Option(name: [.short, .customLong("file")], help: "Where to write it.", completion: .file(extensions: ["yml", "yaml"]))
    var file: String = "deploy.yml"

    func run() throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            printError("\(file) already exists; not overwriting it")
            throw ExitCode(.cannotWrite)
        }
        // The repository's example ships examples/static; a new project ships ./static beside
        // its manifest, and finds the schema where `scripts/install` put it, if it did.
        let text = ExampleManifest.forProject(schema: Installed.schema)
        let parent = URL(fileURLWithPath: file).deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDir), isDir.boolValue else {
            printError("cannot write \(file): no directory \(parent.path)")
            throw ExitCode(.cannotWrite)
        }
        let dir = parent.appendingPathComponent("static")
        var wrote = [file]
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            if !FileManager.default.fileExists(atPath: dir.path) {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                for (name, contents) in ExampleManifest.staticFiles {
                    try Data((contents + "\n").utf8).write(to: dir.appendingPathComponent(name))
                }
                wrote.append(dir.lastPathComponent + "/")
            }
            let hooks = parent.appendingPathComponent(".stackctl/hooks")
            if !FileManager.default.fileExists(atPath: hooks.path) {
                try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
                for (name, text) in SampleHooks.files {
                    let url = hooks.appendingPathComponent(name)
                    try Data(text.utf8).write(to: url)
                    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
                }
                wrote.append(".stackctl/hooks/ (samples)")
            }
        } catch {
            // What the system said (permission denied, read-only...), not Foundation's domain and code.
            printError("cannot write \(file): \(Self.plain(error))")
            throw ExitCode(.cannotWrite)
        }
        print("wrote \(wrote.joined(separator: " and ")); check it with 'stackctl validate -f \(file)'")
    }

    /// `Permission denied`, from the POSIX error under Foundation's.
    static func plain(_ error: any Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        return ns.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32(ns.code))) : ns.localizedDescription
    }
}
