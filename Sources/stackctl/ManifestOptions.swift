import ArgumentParser
import Foundation
import StackKit

/// `-f FILE`, shared by every command that reads a manifest.
struct ManifestOptions: ParsableArguments {
    @Option(name: [.short, .customLong("file")], help: "The manifest to read.", completion: Complete.manifest)
    var file: String = "deploy.yml"

    /// The manifest, or every problem printed as FILE:LINE:COLUMN and exit 1. `secrets: false`
    /// for commands that never write a pool.json: a secret not set here is no error for them.
    func load(secrets: Bool = true) throws -> Manifest { try Self.load(file, secrets: secrets) }

    static func load(_ file: String, secrets: Bool = true) throws -> Manifest {
        guard FileManager.default.fileExists(atPath: file) else {
            printError("\(ValueRule.visible(file)): no such file; run 'stackctl init' to write an example manifest, or pass -f FILE")
            throw ExitCode(.cannotRead)
        }
        do {
            let manifest = try ManifestLoader.load(file: file, requireSecrets: secrets)
            Redaction.install(manifest.redactor)
            return manifest
        } catch let error as ManifestError {
            printError(error.formatted(file: file))
            let n = error.diagnostics.count
            printError("\(ValueRule.visible(file)): \(n) problem\(n == 1 ? "" : "s") found")
            throw ExitCode(.invalidManifest)
        } catch {
            printError("\(error)")
            throw ExitCode(.cannotRead)
        }
    }
}

extension ManifestOptions {
    /// Prints a usage problem (a name the manifest does not have); exit 64.
    static func usage(_ message: String) -> ExitCode {
        printError(message)
        return ExitCode(.usage)
    }

    /// Exit 64 naming the first of `names` that is not a host of the stack, with the hosts it has.
    func requireHosts(_ names: [String], in m: Manifest) throws { try Self.requireHosts(names, in: m, file: file) }

    static func requireHosts(_ names: [String], in m: Manifest, file: String) throws {
        let known = Topology(m).activeHosts.map(\.name)
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw usage("unknown host '\(unknown)'; hosts in \(file): \(known.joined(separator: ", "))")
        }
    }
}
