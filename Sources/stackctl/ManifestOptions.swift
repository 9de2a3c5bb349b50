import ArgumentParser
import Foundation
import StackKit

/// `-f FILE` and `-d NAME`, shared by every command that reads a manifest.
struct ManifestOptions: ParsableArguments {
    @Option(name: [.short, .customLong("file")], help: "The manifest to read.", completion: Complete.manifest)
    var file: String = "deploy.yml"

    @Option(name: [.short, .customLong("destination")], help: "Lay deploy.NAME.yml over the manifest: staging, production...",
            completion: Complete.destinations)
    var destination: String?

    /// The manifest, or every problem printed as FILE:LINE:COLUMN and exit 1. `secrets: false`
    /// for commands that never write a pool.json: a secret not set here is no error for them.
    func load(secrets: Bool = true) throws -> Manifest { try Self.load(file, destination: destination, secrets: secrets) }

    static func load(_ file: String, destination name: String? = nil, secrets: Bool = true) throws -> Manifest {
        guard FileManager.default.fileExists(atPath: file) else {
            printError("\(ValueRule.visible(file)): no such file; run 'stackctl init' to write an example manifest, or pass -f FILE")
            throw ExitCode(.cannotRead)
        }
        do {
            let destination = try name.map { name throws(DestinationError) in try Destination(name) }
            let manifest = try ManifestLoader.load(file: file, destination: destination, requireSecrets: secrets)
            Redaction.install(manifest.redactor)
            return manifest
        } catch let error as ManifestError {
            let files = name.flatMap { try? Destination($0) }.map { [file, $0.overlayFile(for: file)] } ?? [file]
            printError(error.formatted(files: files))
            let n = error.diagnostics.count
            let said = files.map(ValueRule.visible).joined(separator: " + ")
            printError("\(said): \(n) problem\(n == 1 ? "" : "s") found")
            throw ExitCode(.invalidManifest)
        } catch let error as DestinationError {
            printError("\(error)")
            if case .noOverlay = error { throw ExitCode(.cannotRead) }
            throw ExitCode(.usage)
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
