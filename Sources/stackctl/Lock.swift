import ArgumentParser
import StackKit

struct Lock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or break the stack's deploy lock.",
        discussion: """
        up, rollout, rollback and down take the lock on every host of the stack and let it go when \
        they end, on every exit path (Ctrl-C and SIGTERM included). A lock left by a run that was \
        killed does not expire: the next run on the same machine takes it over once that process is \
        gone; from anywhere else, 'stackctl lock release' breaks it.
        """,
        subcommands: [LockStatus.self, LockRelease.self])
}

struct LockStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show who holds the stack's deploy lock, host by host.",
                                                    discussion: ExitStatus.help(ExitStatus.manifest + [.locked, .unreachable]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let states = try await connection.locks(manifest, release: false)
        if states.contains(where: { $0.error != nil }) { throw ExitCode(.unreachable) }
        if states.contains(where: { $0.holder != nil || $0.raw != nil }) { throw ExitCode(.locked) }
    }
}

struct LockRelease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Break the stack's deploy lock on every host, whoever holds it.",
                                                    discussion: ExitStatus.help(ExitStatus.manifest + [.unreachable]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let states = try await connection.locks(manifest, release: true)
        if states.contains(where: { $0.error != nil }) { throw ExitCode(.unreachable) }
    }
}

extension ConnectionOptions {
    func locks(_ manifest: ManifestOptions, release: Bool) async throws -> [LockState] {
        let m = try manifest.load(secrets: false)
        let connections = try connections(for: m)
        let states = await Deployer(manifest: m, connections: connections, parallel: parallel, clock: ContinuousClock()).locks(release: release)
        await connections.close()
        let output = Output(json: json)
        if json { try output.printJSON(states); return states }
        if let d = m.destination { print("stack \(m.name), destination \(d)") }
        for s in states {
            let what = s.error.map { output.paint("unreachable: \($0)", "31") }
                ?? s.holder.map { (release ? "released the lock of " : "locked by ") + $0.summary }
                ?? s.raw.map { (release ? "released a lock reading " : "locked, unreadable holder: ") + ValueRule.visible(String($0.prefix(120))) }
                ?? "free"
            print("\(s.host): \(what)")
        }
        return states
    }
}
