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
        first, then a quarter, then the rest. --pause stops after the first batch, back in service \
        beside the others, and keeps the lock: 'stackctl status' shows the canary's share of the \
        requests; 'rollout --continue' moves the rest (in the batches left), 'rollback' moves the \
        canary back.

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

    @Flag(help: "Stop after the first batch, serving beside the others, and keep the lock for --continue or rollback.")
    var pause = false

    @Flag(name: .customLong("continue"), help: "Finish the paused rollout: its release on the hosts left.")
    var resume = false

    func validate() throws {
        if pause && resume { throw ValidationError("--pause and --continue exclude each other") }
        if resume && rolling.hosts != nil { throw ValidationError("--continue moves every host the pause left; leave out --hosts") }
    }

    func run() async throws {
        let (pool, rolling, maxFail) = (pool, rolling, maxFail)
        let how: RolloutPause = pause ? .afterFirstBatch : resume ? .resume : .none
        let words = ["rollout"] + (pool.map { [$0] } ?? []) + (pause ? ["--pause"] : resume ? ["--continue"] : [])
        try await connection.deploy(manifest, words.joined(separator: " "), lockWait: lock.duration, resumesPause: resume) {
            await $0.rollout(pool: pool, target: .newRelease, batch: rolling.batch, hosts: rolling.hosts, maxFail: maxFail, pause: how)
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
        try await connection.deploy(manifest, (["rollback"] + (pool.map { [$0] } ?? [])).joined(separator: " "), secrets: false, lockWait: lock.duration,
                                    resumesPause: true) {
            await $0.rollout(pool: pool, target: .previous, batch: batch)
        }
    }
}
