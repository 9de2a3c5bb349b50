import ArgumentParser
import StackKit

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the stack: upload what changed, validate it on each host, start or reload each tier bottom-up, health-checking each before the next.",
        discussion: "Exit status: 0 done; 1 invalid manifest; 2 usage; 3 a host unreachable (nothing changed); 4 a config refused by its server's check (nothing changed); 5 a tier unhealthy; 6 a command failed on a host.")

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await connection.deploy(manifest) { await $0.up() }
    }
}

struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the stack: front, then middle, then workers.",
        discussion: "Exit status: 0 done; 3 a host unreachable; 6 a command failed on a host.")

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await connection.deploy(manifest) { await $0.down() }
    }
}

extension ConnectionOptions {
    /// Loads the manifest, connects, runs one engine operation, prints and exits with its code.
    func deploy(_ manifest: ManifestOptions, _ operation: (Deployer<ContinuousClock>) async -> DeployReport) async throws {
        let m = try manifest.load()
        let output = Output(json: json)
        let connections = try connections(for: m)
        let report = await operation(Deployer(manifest: m, connections: connections, parallel: parallel, clock: ContinuousClock(), events: output.event))
        await connections.close()
        try output.summary(report)
        if !report.ok { throw ExitCode(report.exitCode) }
    }
}
