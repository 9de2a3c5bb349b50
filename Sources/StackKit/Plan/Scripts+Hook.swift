import Foundation

extension Scripts {
    /// `Python/release_hook.py`, embedded in the binary; run with the release's `python -c`.
    public static let releaseHook = String(decoding: PackageResources.release_hook_py, as: UTF8.self)

    /// The runner's status when the command ran out of time (timeout(1)'s).
    static let timedOut = 124

    struct HookConfig: Encodable {
        var directory: String
        var venv: String
        var environment: [[String]]
        var command: String
        var timeout: Double
    }

    /// Runs the pool's `release_command` in prepared release `id`, as the pool's user (its own
    /// account made first if need be), with the pool's environment. The settings, secrets
    /// among them, reach the runner on file descriptor 3 from a here-document: never on a
    /// command line, never in a file. Its output comes back line by line, each line `| `. Past
    /// the pool's timeout, or when stackctl goes away, the runner ends the command's processes.
    public static func releaseHook(_ pool: Pool, id: String, _ plan: HostPlan) -> HostScript<StepsReply> {
        let dir = plan.topology.releasesDirectory(pool.name) + "/" + id
        let config = HookConfig(directory: dir, venv: dir + "/venv", environment: pool.environment.map { [$0.0, $0.1] },
                                command: pool.releaseCommand ?? "true", timeout: pool.releaseTimeout)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: (try? encoder.encode(config)) ?? Data("{}".utf8), as: UTF8.self)
        let argv = ["setpriv", "--reuid=" + pool.user, "--regid=" + pool.group, "--init-groups", "--",
                    dir + "/venv/bin/python", "-c", releaseHook]
        let timedOutMessage = "release_command (timed out after \(ManifestDecoder.seconds(pool.releaseTimeout)) s; its processes were ended)"
        var s = accounts(plan)
        // The release command may be the first to write in them (migrate makes the sqlite file).
        s += directories(DataDirectories(topology: plan.topology).specs(on: plan.host.name, pools: [pool]))
        s += """
        [ -f \(dir + "/.stackctl-ready") ] || { \(ShellCode.emit(.fail, "\("release " + id + " is not prepared on this host")")); exit 1; }
        \(ShellCode.heredoc("\(argv)", json, fd: 3))rc=$?
        if [ $rc -eq 0 ]; then \(ShellCode.emit(.ok, "release_command"))
        elif [ $rc -eq \(timedOut) ]; then \(ShellCode.emit(.fail, "\(timedOutMessage)")); exit 1
        else \(ShellCode.emit(.fail, #""release_command (exit $rc)""#)); exit 1; fi

        """
        return HostScript(.releaseHook, s, timeout: .seconds(Int64(pool.releaseTimeout) + 120))
    }
}
