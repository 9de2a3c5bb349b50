import Foundation

/// The inspect: what a host has, and the lock taken (and let go again when in sync).
extension Scripts {
    /// Hashes and ownership of every planned file and directory, and what is running.
    ///
    /// A run's first script also takes the deploy lock (`lock`), before it reads anything; where
    /// another run holds it, the script prints the holder and stops. With `probes`, the relay
    /// asks them at the end when every program of the host runs: on a run that changes nothing
    /// their answers are its health check, with no round trip of their own.
    ///
    /// With `releasing` (a run whose no-op needs no lock at the end: `up`), the script lets the
    /// lock go again when the host is in sync as far as it can tell (every file, owner and mode
    /// as planned, every directory, every program running, the boot unit enabled) and says
    /// `@released`: such a run then ends with no round trip of its own, and one that finds more
    /// to do takes the lock again before it changes anything (`Inspection.retake`).
    ///
    /// `releases`: the release each sourced pool runs once the run is done (built before the
    /// inspect); a host whose `current` is another is not in sync.
    public static func inspect(_ plan: HostPlan, lock: LockRequest? = nil, probes: [Relay.Exchange] = [],
                               releasing: Bool = false, releases: [String: String] = [:]) -> HostScript<InspectReply> {
        var s: ShellCode = lock.map { takeLock(plan.topology, $0) } ?? ""
        let together = !probes.isEmpty && relaysWithStatus(plan)
        let tracking = releasing && lock != nil
        s += inspectBody(plan, relaying: together ? probes : [], tracking: tracking, releases: releases)
            + resolvePaths(plan) + checkBody(plan, full: false)
        // A program that is not running may be kept from starting by a stray of its own.
        let strays = Strays.list(plan)
        if !strays.text.isEmpty { s += "if ! \(InspectShell.allRunning); then\n" + strays + "fi\n" }
        if !probes.isEmpty && !together { s += "\(InspectShell.allRunning) && " + relay(probes, plan) + "\n" }
        if tracking, let lock { s += releaseInSync(plan, token: lock.holder.token) }
        return HostScript(.inspect, s + "exit 0\n", timeout: .seconds(60))
    }

    /// The end of an inspect with `releasing`: the lock let go (`@released`) when nothing set
    /// `$stackctl_drift` and every program runs.
    static func releaseInSync(_ plan: HostPlan, token: String) -> ShellCode {
        let path = lockPath(plan.topology)
        return "if [ -z \"$\(drift)\" ] && \(InspectShell.allRunning) && \(holds(token, path)); then "
            + "rm -f \(path) && \(ShellCode.emit(.released)); fi\n"
    }

    /// The shell variable an inspect that may let the lock go sets when the host is not in sync.
    static let drift: ShellCode = "stackctl_drift"

    /// The probe relay inside a script: its exchanges as an argument (the script is its stdin),
    /// its answers as one `@probes` line; endpoints that refuse are asked again for `wait` seconds.
    static func relay(_ exchanges: [Relay.Exchange], _ plan: HostPlan, wait: Double = 0) -> ShellCode {
        let code: ShellCode = "\([plan.platform.python, "-I", "-S", "-c"] + relayArguments(exchanges, wait: wait))"
        return code.printing(.probes)
    }

    /// The relay's program and arguments: `CODE BASE64 [WAIT]`, as `python -c` or supervisor_control's
    /// `--relay FD` takes them.
    static func relayArguments(_ exchanges: [Relay.Exchange], wait: Double = 0) -> [String] {
        [Relay.script, Data(Relay.encode(exchanges)).base64EncodedString()] + (wait > 0 ? [String(wait)] : [])
    }

    /// supervisor_control's option that runs the relay in its own Python once its command is
    /// done, the answers on descriptor 7 (`exec 7>&1` makes that the script's output).
    static func controlRelay(_ exchanges: [Relay.Exchange], wait: Double = 0) -> [String] {
        ["--relay", "7"] + relayArguments(exchanges, wait: wait)
    }

    /// Whether supervisord's status and the probe relay can run in one Python (they need the
    /// same interpreter): the relay then runs when every program does, as it would after.
    static func relaysWithStatus(_ plan: HostPlan) -> Bool {
        plan.host.processManager == .supervisord && plan.platform.supervisorPython == plan.platform.python
    }

    /// On a middle host: every served and protected directory as the host resolves it, so the
    /// engine can check `StaticExposure` against symlinks too. One `realpath` for all of them
    /// (it is on every `up`'s path): it prints one line per path, in order (paths hold no newline).
    static func resolvePaths(_ plan: HostPlan) -> ShellCode {
        guard plan.routes else { return "" }
        let m = plan.topology.manifest
        let paths = Set(StaticExposure.served(m).map(\.path) + StaticExposure.protected(m).map(\.path)).sorted()
        guard !paths.isEmpty else { return "" }
        return """
        set -- \(paths)
        realpath -m -- "$@" 2>/dev/null | for p in "$@"; do IFS= read -r r || break; \(ShellCode.emit(.resolved, #""$p""#, #""$r""#)); done

        """
    }

    /// The inspect lines without the exit, so `status` can extend them. What later lines may
    /// ask of it are the functions `InspectShell` names, never its variables.
    ///
    /// `tracking`: every difference from the plan that the host can see sets `$stackctl_drift`.
    static func inspectBody(_ plan: HostPlan, relaying probes: [Relay.Exchange] = [], tracking: Bool = false,
                            releases: [String: String] = [:]) -> ShellCode {
        var s: ShellCode = tracking ? "\(drift)=\n" : ""
        s += filesAndDirectories(plan, tracking: tracking)
        let names = plan.programs.map { ServiceControl.name($0, plan) }
        let t = plan.topology
        s += releaseLines(plan, drift: tracking ? releases : nil)
        switch plan.host.processManager {
        case .supervisord:
            // supervisord is asked once (one python run, not one per program): `running` reads
            // its answer, and the answer is the running lines the inspect prints.
            let relay = probes.isEmpty ? [] : controlRelay(probes)
            let status = ServiceControl.supervisor(plan, ["status"] + (probes.isEmpty ? [] : names) + relay)
            // The relay's answers go to descriptor 7: the script's output, not `sv_status`.
            let output: ShellCode = probes.isEmpty ? "" : "exec 7>&1\n"
            let code: ShellCode = """
            \(output)if [ -S \(t.supervisorSocketPath) ] && sv_status=$(\(status) 2>/dev/null); then
              \(ShellCode.emit(.manager, "up")); [ -n "$sv_status" ] && printf '%s\\n' "$sv_status"
            else \(ShellCode.emit(.manager, "down")); sv_status=; fi
            sv_nl='
            '
            \(InspectShell.running)() { case "$sv_nl$sv_status$sv_nl" in *"$sv_nl\(prefix: .running) $1$sv_nl"*) return 0 ;; esac; return 1; }

            """
            s += probes.isEmpty ? code.printing(.running) : code.printing(.running, .probes)
            // Where PID 1 is systemd, the stack's supervisord has boot units (SupervisordBootUnits).
            let disabled: ShellCode = tracking ? " || \(drift)=1" : ""
            s += """
            if [ -d /run/systemd/system ]; then \(ShellCode.emit(.initSystem, "systemd"))
              systemctl is-enabled --quiet \(t.supervisorBootUnit) 2>/dev/null && \(ShellCode.emit(.enabled, "\(t.supervisorBootUnit)"))\(disabled)
            fi

            """
        case .systemd:
            s += ShellCode.emit(.manager, "up") + "\n"
            for p in plan.programs {
                let unit = ServiceControl.name(p, plan)
                s += "systemctl is-active --quiet \(unit) && \(ShellCode.emit(.running, "\(unit)"))\n"
            }
            s += "\(InspectShell.running)() { systemctl is-active --quiet \"$1\"; }\n"
        }
        s += "\(InspectShell.allRunning)() { \(InspectShell.each(names)); }\n"
        if plan.programs.contains(where: { $0.tier != .workers }) { s += PendingRestart.listed(t) }
        return s
    }

    /// On a middle host, each shipped static directory's release; each sourced pool's release on
    /// the host (the one `current` names, if finished), the one before it, and its virtualenvs.
    ///
    /// `drift`: the run's releases (built before the inspect), when the inspect tracks drift: a
    /// `current` that is not the run's release (or not finished) sets `$stackctl_drift`.
    static func releaseLines(_ plan: HostPlan, drift releases: [String: String]? = nil) -> ShellCode {
        var s: ShellCode = ""
        let t = plan.topology
        // A release whose directory is gone (or was never finished) is none: `up` prepares it again.
        func link(_ name: String, _ current: String, finished: Bool) {
            let id: ShellCode = "\"$(basename \"$(readlink \(current))\")\""
            let ready: ShellCode = finished ? " && [ -f \(current)/.stackctl-ready ]" : ""
            s += "[ -L \(current) ]\(ready) && \(ShellCode.emit(.release, "\(name)", id))\n"
            guard let releases else { return }
            guard let run = releases[name] else { s += "\(drift)=1\n"; return }
            s += "[ \(id) = \(run) ]\(ready) || \(drift)=1\n"
        }
        if plan.routes {
            for shipped in t.manifest.middle.shipped { link(shipped.releaseName, t.staticCurrent(shipped.name), finished: false) }
        }
        for pool in t.manifest.pools where pool.source != nil && pool.hosts.contains(plan.host.name) {
            link(pool.name, t.currentLink(pool.name), finished: true)
            let previous = t.poolDirectory(pool.name) + "/previous"
            s += "[ -f \(previous) ] && \(ShellCode.emit(.previous, "\(pool.name)", "\"$(cat \(previous))\""))\n"
            // The virtualenvs the host has: a release with the same requirements ships none.
            let venvs = t.poolDirectory(pool.name) + "/venvs"
            s += "for v in \(venvs)/*/.stackctl-ready; do [ -f \"$v\" ] && \(ShellCode.emit(.venvs, "\(pool.name)", "\"$(basename \"${v%/*}\")\"")); done\n"
        }
        return s
    }

    /// The inspect's lines for the planned files (hash, mode, owner, group) and directories
    /// (mode, owner, group) that exist; `tracking`: a difference sets `$stackctl_drift`.
    static func filesAndDirectories(_ plan: HostPlan, tracking: Bool) -> ShellCode {
        // One stat and one sha256sum for all the files there are (not three programs per file):
        // this runs on every host in every `up`. Manifest paths hold no spaces (ValueRule.path).
        var s: ShellCode = ""
        if !plan.files.isEmpty {
            s += tracking ? InspectShell.wanted(plan) : ""
            // With `want` (HASH MODE:OWNER:GROUP PATH...), awk fails when a file differs or is missing.
            let compare: ShellCode = tracking
                ? "; n = split(want, w, \" \"); for (i = 1; i < n; i += 3) if (h[w[i + 2]] != w[i] || o[w[i + 2]] != w[i + 1]) exit 1" : ""
            let want: ShellCode = tracking ? " -v want=\"$want\"" : ""
            let differs: ShellCode = tracking ? " || \(drift)=1" : ""
            let none: ShellCode = tracking ? "else [ -z \"$want\" ] || \(drift)=1\n" : ""
            s += """
            present=""; for f in \(plan.files.map(\.path)); do [ -f "$f" ] && present="$present $f"; done
            if [ -n "$present" ]; then
              { stat -c 'o %n %a:%U:%G' $present; sha256sum $present; } |
                awk\(want) '$1 == "o" { o[$2] = $3; next } { sub(/^\\\\/, "", $1); h[$2] = $1 } END { for (f in h) printf "\(format: .file, fields: 3)", h[f], o[f], f\(compare) }'\(differs)
            \(none)fi

            """
            s = s.printing(.file)
        }
        if !plan.directories.isEmpty {
            s += """
            present=""; for d in \(plan.directories.map(\.path)); do [ -d "$d" ] && present="$present $d"; done

            """
            if tracking {
                // stat prints the directories in the order given: one comparison of its lines.
                let want = plan.directories.map { "\(Marker.Tag.dir.prefix) \($0.ownership) \($0.path)" }.joined(separator: "\n")
                s += """
                dirs=; [ -n "$present" ] && dirs=$(stat -c '\(prefix: .dir) %a:%U:%G %n' $present) && printf '%s\\n' "$dirs"
                [ "$dirs" = \(want) ] || \(drift)=1

                """
            } else {
                s += "[ -n \"$present\" ] && stat -c '\(prefix: .dir) %a:%U:%G %n' $present\n"
            }
            s = s.printing(.dir)
        }
        return s
    }

    /// The lock taken again on a host whose inspect let it go (`inspect`'s `releasing`), with the
    /// planned files, directories and pools' releases read again: the engine compares them with
    /// the first read, and reads the whole host again only if they changed in between.
    public static func retake(_ plan: HostPlan, _ request: LockRequest) -> HostScript<InspectReply> {
        HostScript(.inspect, takeLock(plan.topology, request) + filesAndDirectories(plan, tracking: false) + releaseLines(plan) + "exit 0\n",
                   timeout: .seconds(60))
    }
}

/// What the inspect's lines offer the lines after them (the check's, the probes' guard), as
/// shell functions: a later fragment calls these and reads none of the inspect's variables.
enum InspectShell {
    /// `stackctl_running NAME`: whether the program (a supervisord name or a unit) runs.
    static let running: ShellCode = "stackctl_running"
    /// `stackctl_all_running`: whether every program of the host runs.
    static let allRunning: ShellCode = "stackctl_all_running"

    /// `want`: each planned file as the inspect's awk sees it in sync (`HASH MODE:OWNER:GROUP
    /// PATH`, space-separated); the files that need systemd only where PID 1 is systemd, as
    /// `HostChanges` counts them.
    static func wanted(_ plan: HostPlan) -> ShellCode {
        let line = { (files: [PlannedFile]) in files.map { "\($0.sha256) \($0.ownership) \($0.path)" }.joined(separator: " ") }
        let always = plan.files.filter { !$0.file.needsSystemdInit }, systemd = plan.files.filter(\.file.needsSystemdInit)
        var s: ShellCode = "want=\(line(always))\n"
        if !systemd.isEmpty { s += "[ -d /run/systemd/system ] && want=\"$want \"\(line(systemd))\n" }
        return s
    }

    /// `stackctl_running A && stackctl_running B`, each name a word of its own; `true` for none.
    static func each(_ names: [String]) -> ShellCode {
        names.map { name -> ShellCode in "\(running) \(name)" }.reduce(nil) { (sum: ShellCode?, next) in sum.map { $0 + " && " + next } ?? next } ?? "true"
    }
}
