import Foundation

extension Scripts {
    /// Unpacks a release into `releases/ID` and gives it a virtualenv: one per requirements hash
    /// (`venvs/HASH`), linked as `releases/ID/venv`: unpacked from `venv`, built once by stackctl,
    /// where the host's interpreter is the one it was built with (no pip runs); else built here
    /// with pip and the pip cache. Does nothing when the release is already there. No traffic moves.
    public static func prepare(_ pool: Pool, _ release: ReleaseArchive, _ plan: HostPlan, venv bundle: VirtualenvBundle? = nil) -> HostScript<PrepareReply> {
        let t = plan.topology, root = t.poolDirectory(pool.name), releases = t.releasesDirectory(pool.name)
        let dir = "\(releases)/\(release.id)", tmp = dir + ".tmp", venv = "\(root)/venvs/\(release.requirementsHash)"
        let data = Data(release.tarGz).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        let pip = [venv + "/bin/pip", "install", "--disable-pip-version-check", "-q", "--cache-dir", t.pipCache, ReleaseBuilder.flup]
        return HostScript(.prepare, """
        if [ -f \(dir + "/.stackctl-ready") ]; then \(ShellCode.emit(.prepared, "\(release.id)", "already")); exit 0; fi
        mkdir -p \(releases) \(root + "/venvs") \(t.pipCache)
        rm -rf \(tmp) && mkdir -p \(tmp)
        \(unpackRelease(data, into: tmp))
        how=kept
        if [ ! -f \(venv + "/.stackctl-ready") ]; then
          rm -rf \(venv)
          \(shippedVenv(bundle, pool, venv))
          if [ ! -d \(venv) ]; then
            how=built
            \(ShellCode.step("create the virtualenv", [pool.baseInterpreter, "-m", "venv", venv]))
            if [ -f \(tmp + "/requirements.txt") ]; then
              \(ShellCode.step("pip install -r requirements.txt", pip + ["-r", tmp + "/requirements.txt"]))
            else
              \(ShellCode.step("pip install flup", pip))
            fi
          fi
          \(ShellCode.step("check flup", [venv + "/bin/python", "-c", "import flup.server.fcgi, flup.server.fcgi_fork"]))
          touch \(venv + "/.stackctl-ready")
        fi
        ln -sfn \("../../venvs/" + release.requirementsHash) \(tmp + "/venv")
        touch \(tmp + "/.stackctl-ready")
        rm -rf \(dir) && mv \(tmp) \(dir)
        \(ShellCode.emit(.prepared, "\(release.id)", #""$how""#))

        """)
    }

    /// The virtualenv stackctl built, unpacked into `venv` when the host's interpreter is the
    /// one it was built with (`how=shipped`); else nothing, and the host builds its own.
    static func shippedVenv(_ bundle: VirtualenvBundle?, _ pool: Pool, _ venv: String) -> ShellCode {
        guard let bundle else { return ":" }
        let data = Data(bundle.tarGz).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        let tmp = venv + ".tmp"
        let identify: ShellCode = "\([pool.baseInterpreter, "-I", "-c", VirtualenvBuilder.identify])"
        return "if [ \"$(\(identify) 2>/dev/null)\" = \(bundle.python) ]; then\n    rm -rf \(tmp) && mkdir -p \(tmp)\n    { "
            + ShellCode.heredoc("base64 -d", data)
            + "} | tar -xzf - -C \(tmp) || { \(ShellCode.emit(.fail, "'unpacking the virtualenv'")); exit 1; }\n"
            + "    mv \(tmp) \(venv) && how=shipped\n  fi"
    }

    /// The release's tar.gz, base64 in a heredoc, unpacked into `dir`.
    static func unpackRelease(_ base64: String, into dir: String) -> ShellCode {
        "{ " + ShellCode.heredoc("base64 -d", base64) + "} | tar -xzf - -C \(dir) || { \(ShellCode.emit(.fail, "'unpacking the release'")); exit 1; }"
    }

    /// Points `current` at release `id` (atomically: a new link renamed over the old one), records
    /// the release it replaces, and restarts the pool's workers on the host.
    /// `previous`: nil records the release being replaced; `.some(x)` writes x instead (a switch
    /// back after a failed gate restores the record the host had, nil removing it).
    ///
    /// A rollout's batch does its host's whole part in this one script: with `drain` (the
    /// drain timeout), it first waits for the drained workers' in-flight requests; with
    /// `probes`, it asks them once the workers restart, each until it answers or `wait`
    /// seconds pass, and prints the answers (`SwitchReply.probes`); with `prune`, it ends by
    /// pruning the pool's old releases (never `current` or `previous`, which a switch back needs).
    public static func switchRelease(_ pool: Pool, to id: String, _ plan: HostPlan, restart: Bool = true, previous: String?? = nil,
                                     drain: Double? = nil, probes: [Relay.Exchange] = [], wait: Double = 0, prune: Bool = false) -> HostScript<SwitchReply> {
        let t = plan.topology, root = t.poolDirectory(pool.name), current = t.currentLink(pool.name)
        let programs = plan.programs.filter { $0.pool == pool.name }.map { ServiceControl.name($0, plan) }
        var s: ShellCode = drain.map { drainLoop(pool, plan, timeout: $0) } ?? ""
        s += """
        [ -f \(t.releasesDirectory(pool.name) + "/" + id + "/.stackctl-ready") ] || { \(ShellCode.emit(.fail, "\("release " + id + " is not prepared on this host")")); exit 1; }
        old=$(basename "$(readlink \(current) 2>/dev/null)" 2>/dev/null); was=$(cat \(root + "/previous") 2>/dev/null)
        if [ "$old" != \(id) ]; then
          \(previousLine(previous, root))
          ln -sfn \("releases/" + id) \(current + ".new") && mv -T \(current + ".new") \(current)
          touch \(t.releasesDirectory(pool.name) + "/" + id)
        fi
        \(ShellCode.emit(.switched, #""$old""#, "\(id)"))

        """
        let restarting = restart && !programs.isEmpty
        if restarting, !probes.isEmpty, let argv = controlArgv(.restart(programs), plan),
           let step = relayed("restart " + pool.name, argv, plan, probes, wait: wait) {
            // The relay runs in the restart's own Python.
            s += step
        } else {
            if restarting {
                for argv in ServiceControl.argv(.restart(programs), plan) { s += "\(ShellCode.step("restart " + pool.name, argv))\n" }
            }
            if !probes.isEmpty { s += relay(probes, plan, wait: wait) + " || true\n" }
        }
        if prune { s += pruneBody(pool, plan) }
        return HostScript(.switchRelease, s, timeout: .seconds(300 + Int64(drain ?? 0) + Int64(wait)))
    }

    static func previousLine(_ previous: String??, _ root: String) -> ShellCode {
        let file = root + "/previous"
        switch previous {
        case .none: return "[ -n \"$old\" ] && [ \"$old\" != . ] && printf '%s\\n' \"$old\" > \(file)"
        case .some(.none): return "rm -f \(file)"
        case .some(.some(let id)): return "printf '%s\\n' \(id) > \(file)"
        }
    }
}
