import ArgumentParser
import StackKit

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the stack: upload what changed, validate it on each host, start or reload each tier bottom-up, health-checking each before the next.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.unreachable, .refused, .unhealthy, .hostCommandFailed, .releaseFailed]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await connection.deploy(manifest) { await $0.up() }
    }
}

struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the stack: front, then middle, then workers.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.unreachable, .hostCommandFailed]))

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
