import ArgumentParser
import Foundation
import StackKit

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the example manifest (all tiers on this machine) to start from, and ./static, the static directory it ships.",
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
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let dir = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("static")
        var wrote = [file]
        if !FileManager.default.fileExists(atPath: dir.path) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (name, contents) in ExampleManifest.staticFiles {
                try Data((contents + "\n").utf8).write(to: dir.appendingPathComponent(name))
            }
            wrote.append(dir.lastPathComponent + "/")
        }
        print("wrote \(wrote.joined(separator: " and ")); check it with 'stackctl validate -f \(file)'")
    }
}
