import ArgumentParser
import Foundation
import StackKit

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the example manifest (all tiers on this machine) to start from.",
        discussion: ExitStatus.help([.usage, .cannotWrite]))

    @Option(name: [.short, .customLong("file")], help: "Where to write it.")
    var file: String = "deploy.yml"

    func run() throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            printError("\(file) already exists; not overwriting it")
            throw ExitCode(.cannotWrite)
        }
        try Data(ExampleManifest.text.utf8).write(to: URL(fileURLWithPath: file))
        print("wrote \(file); check it with 'stackctl validate -f \(file)'")
    }
}
