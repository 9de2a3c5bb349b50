import ArgumentParser
import StackKit

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the stack: upload what changed, validate it on each host, start or reload each tier bottom-up, health-checking each before the next.",
        discussion: ExitStatus.help(ExitStatus.manifest
            + [.changesPending, .unreachable, .refused, .unhealthy, .hostCommandFailed, .releaseFailed, .degraded, .locked, .notReady,
            .interrupted, .terminated]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Only show what would change, as 'stackctl plan' does (exit 2 when something would).")
    var dryRun = false

    func run() async throws {
        if dryRun { return try await connection.plan(manifest) }
        try await connection.deploy(manifest, "up") { await $0.up() }
    }
}

struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the stack: front, then middle, then workers.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.unreachable, .hostCommandFailed]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await connection.deploy(manifest, "down", secrets: false) { await $0.down() }
    }
}

extension ConnectionOptions {
    /// Loads the manifest, connects, runs one engine operation under the stack's deploy lock,
    /// prints and exits with its code. SIGINT and SIGTERM stop it at its next safe point.
    /// `secrets: false` for operations that write no pool.json (a secret not set is no error).
    func deploy(_ manifest: ManifestOptions, _ command: String, secrets: Bool = true,
                _ operation: @escaping (Deployer<ContinuousClock>) async -> DeployReport) async throws {
        let m = try manifest.load(secrets: secrets)
        let output = Output(json: json)
        let connections = try connections(for: m)
        let interrupts = Interrupts()
        var deployer = Deployer(manifest: m, connections: connections, parallel: parallel, clock: ContinuousClock(), events: output.event)
        deployer.interruption = { interrupts.first }
        let engine = deployer
        let report = await engine.locked(command) { await operation($0) }
        await connections.close()
        try output.summary(report)
        if report.exitCode != .ok { throw ExitCode(report.exitCode) }
    }
}
