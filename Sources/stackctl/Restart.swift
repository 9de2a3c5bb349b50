import ArgumentParser
import StackKit

struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restart programs in place, without a new release: a batch of hosts at a time, each health-checked, pools drained first.",
        discussion: """
        POOL restarts that pool's workers: each batch of hosts is drained from the middle tier, \
        restarted, health-checked and put back, so no request is dropped. `middle` or `front` \
        restarts that server, a batch of hosts at a time. With nothing named: every pool, then \
        the middle, then the front. A batch that fails its health check stops the restart; a \
        drained one stays out of rotation until `stackctl up` puts it back.

        """ + ExitStatus.help(ExitStatus.manifest + [.unreachable, .unhealthy, .hostCommandFailed, .locked, .hookFailed, .interrupted, .terminated]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var lock: LockOptions

    @Argument(help: "A pool, `middle` or `front` (default: all of them, bottom-up).", completion: Complete.poolsAndTiers)
    var target: String?

    @OptionGroup var rolling: BatchOptions

    func run() async throws {
        let m = try manifest.load(secrets: false)
        var what: ProgramScope?
        if let target {
            guard let t = ProgramScope.named(target, in: m) else {
                throw ManifestOptions.usage(ProgramScope.unknown(target, in: m))
            }
            what = t
        }
        try manifest.requireHosts(rolling.hosts ?? [], in: m)
        try await connection.deploy(manifest, (["restart"] + (target.map { [$0] } ?? [])).joined(separator: " "), secrets: false, lockWait: lock.duration) {
            await $0.restart(what, batch: rolling.batch ?? .one, hosts: rolling.hosts)
        }
    }
}
