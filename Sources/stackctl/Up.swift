import ArgumentParser
import StackKit

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the stack: upload what changed, validate it on each host, start or reload each tier bottom-up, health-checking each before the next.",
        discussion: ExitStatus.help(ExitStatus.manifest
            + [.changesPending, .unreachable, .refused, .unhealthy, .hostCommandFailed, .releaseFailed, .degraded, .locked, .hookFailed, .notReady,
            .interrupted, .terminated]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var lock: LockOptions

    @Flag(help: "Only show what would change, as 'stackctl plan' does (exit 2 when something would).")
    var dryRun = false

    func run() async throws {
        if dryRun { return try await connection.plan(manifest) }
        try await connection.deploy(manifest, "up", lockWait: lock.duration) { await $0.up() }
    }
}

struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the stack: front, then middle, then workers.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.unreachable, .hostCommandFailed, .locked, .hookFailed]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var lock: LockOptions

    func run() async throws {
        try await connection.deploy(manifest, "down", secrets: false, lockWait: lock.duration) { await $0.down() }
    }
}

extension ConnectionOptions {
    /// Runs a hook if there is one, its output shown; a failed pre-hook stops the run (exit 12)
    /// before anything changes, a later one is only said.
    static func fire(_ hooks: Hooks, _ hook: Hook, _ context: HookContext) throws {
        guard let result = hooks.fire(hook, context) else { return }
        printError(result.summary + (result.output.isEmpty ? "" : ":"))
        for line in result.output.split(separator: "\n", omittingEmptySubsequences: false) { printError("  | \(line)") }
        if !result.ok && hook.stops {
            printError("nothing was changed")
            throw ExitCode(.hookFailed)
        }
    }

    /// Loads the manifest, connects, runs one engine operation under the stack's deploy lock,
    /// prints and exits with its code. SIGINT and SIGTERM stop it at its next safe point.
    /// `secrets: false` for operations that write no pool.json (a secret not set is no error).
    func deploy(_ manifest: ManifestOptions, _ command: String, secrets: Bool = true, lockWait: Duration? = nil, resumesPause: Bool = false,
                _ operation: @escaping (Deployer<ContinuousClock>) async -> DeployReport) async throws {
        let m = try manifest.load(secrets: secrets)
        let output = Output(json: json)
        let hooks = Hooks(manifestFile: manifest.file, redactor: m.redactor)
        var context = HookContext(command: command, destination: m.destination, stack: m.name, hosts: Topology(m).activeHosts.map(\.name),
                                  operatorName: RunIdentity.current().name)
        let (before, after) = Hook.around(command)
        try Self.fire(hooks, .preConnect, context)
        let connections = try connections(for: m)
        do { try before.map { try Self.fire(hooks, $0, context) } } catch {
            await connections.close()
            throw error
        }
        let interrupts = Interrupts()
        var deployer = Deployer(manifest: m, connections: connections, parallel: parallel, clock: ContinuousClock(), events: output.event)
        deployer.interruption = { interrupts.first }
        deployer.lockWait = lockWait
        deployer.resumesPause = resumesPause
        deployer.virtualenvs = LocalVirtualenvs()
        let engine = deployer
        let report = await engine.locked(command) { await operation($0) }
        try await close(connections, m)
        try output.summary(report)
        context.outcome = report.exitCode == .ok ? "ok" : "\(report.exitCode)"
        context.seconds = report.seconds
        for host in report.hosts { context.releases.merge(host.releases) { $1 } }
        try? (report.exitCode == .ok ? after : .onFailure).map { try Self.fire(hooks, $0, context) }
        if report.exitCode != .ok { throw ExitCode(report.exitCode) }
    }
}
