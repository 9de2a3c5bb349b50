import ArgumentParser
import StackKit

struct Rollout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move a pool's workers to a new release, a batch of hosts at a time, without dropping a request.",
        discussion: """
        The release is built from the pool's `source` and prepared on every host of the pool first \
        (a failed install stops there, before any traffic moves). Then each batch is drained from the \
        middle tier, switched, restarted, health-checked and put back. A batch that fails its health \
        check is switched back to the release it ran and the rollout stops, unless --max-fail lets \
        that many hosts fail (each switched back) before it does. --batch 1,25%,100% moves one host \
        first, then a quarter, then the rest.

        """ + ExitStatus.help(ExitStatus.manifest + [.unreachable, .unhealthy, .hostCommandFailed, .releaseFailed, .locked, .hookFailed]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var lock: LockOptions

    @Argument(help: "The pool to roll out (default: every pool with a source).", completion: Complete.pools)
    var pool: String?

    @OptionGroup var rolling: BatchOptions

    @Option(help: ArgumentHelp("Hosts that may fail their health check (each switched back) before the rollout stops: "
                               + "a count or a share such as 10% (default 0: it stops at the first).", valueName: "n|p%"))
    var maxFail = FailLimit.none

    func run() async throws {
        let (pool, rolling, maxFail) = (pool, rolling, maxFail)
        try await connection.deploy(manifest, (["rollout"] + (pool.map { [$0] } ?? [])).joined(separator: " "), lockWait: lock.duration) {
            await $0.rollout(pool: pool, target: .newRelease, batch: rolling.batch, hosts: rolling.hosts, maxFail: maxFail)
        }
    }
}

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move a pool's workers back to each host's previous release, rolled out the same way.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.unreachable, .unhealthy, .hostCommandFailed, .noPreviousRelease, .locked, .hookFailed]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var lock: LockOptions

    @Argument(help: "The pool to roll back (default: every pool with a source).", completion: Complete.pools)
    var pool: String?

    @Option(help: ArgumentHelp("Hosts per batch: a count, a share of the pool's hosts such as 25%, or a list such as 1,25%,100%.", valueName: "n|p%[,...]"))
    var batch = BatchSize.one

    func run() async throws {
        try await connection.deploy(manifest, (["rollback"] + (pool.map { [$0] } ?? [])).joined(separator: " "), secrets: false, lockWait: lock.duration) {
            await $0.rollout(pool: pool, target: .previous, batch: batch)
        }
    }
}
