import Foundation

/// The scripts stackctl sends to a host, one per phase, built as `ShellCode` (every value
/// quoted for its context there). Each prints `Marker` lines; command output is indented `| `.
public enum Scripts {
    static let prelude: ShellCode = """
    set -u
    umask 022
    show() { case $1 in '') ;; *) printf '%s\\n' "$1" | sed -e '/^$/d' -e 's/^/| /' ;; esac; }
    run() {
      label=$1; shift
      if out=$("$@" 2>&1); then \(ShellCode.emit(.ok, #""$label""#)); show "$out"
      else rc=$?; \(ShellCode.emit(.fail, #""$label (exit $rc)""#)); show "$out"; exit 1; fi
    }

    """

    /// Hashes and ownership of every planned file and directory, and what is running.
    ///
    /// A run's first script also takes the deploy lock (`lock`), before it reads anything; where
    /// another run holds it, the script prints the holder and stops. With `probes`, the relay
    /// asks them at the end when every program of the host runs: on a run that changes nothing
    /// their answers are its health check, with no round trip of their own.
    public static func inspect(_ plan: HostPlan, lock: LockRequest? = nil, probes: [Relay.Exchange] = []) -> HostScript<InspectReply> {
        var s: ShellCode = lock.map { takeLock(plan.topology, $0) } ?? ""
        let together = !probes.isEmpty && relaysWithStatus(plan)
        s += inspectBody(plan, relaying: together ? probes : []) + resolvePaths(plan) + checkBody(plan, full: false)
        // A program that is not running may be kept from starting by a stray of its own.
        let strays = Strays.list(plan)
        if !strays.text.isEmpty { s += "if ! \(InspectShell.allRunning); then\n" + strays + "fi\n" }
        if !probes.isEmpty && !together { s += "\(InspectShell.allRunning) && " + relay(probes, plan) + "\n" }
        return HostScript(.inspect, s + "exit 0\n", timeout: .seconds(60))
    }

    /// The probe relay inside a script: its exchanges as an argument (the script is its stdin),
    /// its answers as one `@probes` line; endpoints that refuse are asked again for `wait` seconds.
    static func relay(_ exchanges: [Relay.Exchange], _ plan: HostPlan, wait: Double = 0) -> ShellCode {
        let payload = Data(Relay.encode(exchanges)).base64EncodedString()
        let code: ShellCode = "\([plan.platform.python, "-I", "-S", "-c", Relay.script, payload] + (wait > 0 ? [String(wait)] : []))"
        return code.printing(.probes)
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
    static func inspectBody(_ plan: HostPlan, relaying probes: [Relay.Exchange] = []) -> ShellCode {
        // One stat and one sha256sum for all the files there are (not three programs per file):
        // this runs on every host in every `up`. Manifest paths hold no spaces (ValueRule.path).
        var s: ShellCode = ""
        let names = plan.programs.map { ServiceControl.name($0, plan) }
        if !plan.files.isEmpty {
            s += """
            present=""; for f in \(plan.files.map(\.path)); do [ -f "$f" ] && present="$present $f"; done
            if [ -n "$present" ]; then
              { stat -c 'o %n %a:%U:%G' $present; sha256sum $present; } |
                awk '$1 == "o" { o[$2] = $3; next } { sub(/^\\\\/, "", $1); h[$2] = $1 } END { for (f in h) printf "\(format: .file, fields: 3)", h[f], o[f], f }'
            fi

            """
            s = s.printing(.file)
        }
        if !plan.directories.isEmpty {
            s += """
            present=""; for d in \(plan.directories.map(\.path)); do [ -d "$d" ] && present="$present $d"; done
            [ -n "$present" ] && stat -c '\(prefix: .dir) %a:%U:%G %n' $present

            """
            s = s.printing(.dir)
        }
        let t = plan.topology
        if plan.routes {
            for shipped in t.manifest.middle.shipped {
                let current = t.staticCurrent(shipped.name)
                s += "[ -L \(current) ] && \(ShellCode.emit(.release, "\("static/" + shipped.name)", "\"$(basename \"$(readlink \(current))\")\""))\n"
            }
        }
        for pool in t.manifest.pools where pool.source != nil && pool.hosts.contains(plan.host.name) {
            let current = t.currentLink(pool.name), previous = t.poolDirectory(pool.name) + "/previous"
            // A release whose directory is gone (or was never finished) is none: `up` prepares it again.
            let id: ShellCode = "\"$(basename \"$(readlink \(current))\")\""
            s += "[ -L \(current) ] && [ -f \(current)/.stackctl-ready ] && \(ShellCode.emit(.release, "\(pool.name)", id))\n"
            s += "[ -f \(previous) ] && \(ShellCode.emit(.previous, "\(pool.name)", "\"$(cat \(previous))\""))\n"
            // The virtualenvs the host has: a release with the same requirements ships none.
            let venvs = t.poolDirectory(pool.name) + "/venvs"
            s += "for v in \(venvs)/*/.stackctl-ready; do [ -f \"$v\" ] && \(ShellCode.emit(.venvs, "\(pool.name)", "\"$(basename \"${v%/*}\")\"")); done\n"
        }
        switch plan.host.processManager {
        case .supervisord:
            // supervisord is asked once (one python run, not one per program): `running` reads
            // its answer, and the answer is the running lines the inspect prints.
            let relay = probes.isEmpty ? [] : ["--relay", "7", Relay.script, Data(Relay.encode(probes)).base64EncodedString()]
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
            s += """
            if [ -d /run/systemd/system ]; then \(ShellCode.emit(.initSystem, "systemd"))
              systemctl is-enabled --quiet \(t.supervisorBootUnit) 2>/dev/null && \(ShellCode.emit(.enabled, "\(t.supervisorBootUnit)"))
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
        return s
    }

    /// Creates directories, writes every changed file next to its target, and checks the new
    /// configs with the servers' own validators. Nothing live is touched; on a failed check the
    /// staged files are removed.
    public static func stage(_ plan: HostPlan, _ changes: HostChanges) -> HostScript<StageReply> {
        HostScript(.stage, stageBody(plan, changes) + ShellCode.emit(.staged) + "\n")
    }

    /// Makes each directory, or gives an existing one its mode, owner and group (not its
    /// contents'): one `install` for all that share a mode, owner and group (it runs on every
    /// host of a first `up`). Order does not matter: `install -d` sets an existing directory's
    /// mode and owner too, so a parent made for a child ends as it is specified.
    static func directories(_ specs: [DirectorySpec]) -> ShellCode {
        grouped(specs) { "\(String($0.mode, radix: 8)) \($0.owner) \($0.group)" }.map { _, group in
            let d = group[0], paths = group.map(\.path)
            let argv = ["install", "-d", "-m", String(d.mode, radix: 8), "-o", d.owner, "-g", d.group] + paths
            return ShellCode.step("dir " + paths.joined(separator: " "), argv) + "\n"
        }.reduce("", +)
    }

    /// Staging and checks; exits 1 (after cleaning up) when a check fails.
    static func stageBody(_ plan: HostPlan, _ changes: HostChanges) -> ShellCode {
        var s: ShellCode = accounts(plan)
        s += directories(changes.directories)
        if !changes.files.isEmpty { s += "\(["rm", "-f"] + changes.files.map(\.stagedPath))\n" }
        var dirs: Set<String> = []
        for f in changes.files {
            let data = Data(f.file.contents.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            let dir = (f.path as NSString).deletingLastPathComponent
            if dirs.insert(dir).inserted { s += "[ -d \(dir) ] || mkdir -p \(dir)\n" }
            // Written under umask 077 and given its owner and mode after: a key or a pool.json
            // is never readable by others, not even for a moment.
            s += ShellCode.heredoc("(umask 077 && base64 -d > \(f.stagedPath))", data)
        }
        // One chown per owner and one chmod per mode, for all the files (not two per file).
        for (owner, files) in grouped(changes.files, by: { $0.file.owner + ":" + $0.file.group }) {
            s += "\(["chown", owner] + files.map(\.stagedPath))\n"
        }
        for (mode, files) in grouped(changes.files, by: { String($0.file.mode, radix: 8) }) {
            s += "\(["chmod", mode] + files.map(\.stagedPath))\n"
        }
        s += "cleanup() { \(["rm", "-f"] + changes.files.map(\.stagedPath)); }\n" + checkFunction
        for f in changes.files { s += validation(f, plan, staged: changes.files) }
        s += "if [ $invalid -ne 0 ]; then cleanup; exit 1; fi\n"
        return s
    }
}

/// `items` grouped by `key`, the groups in the order their first item comes.
func grouped<T>(_ items: [T], by key: (T) -> String) -> [(String, [T])] {
    var order: [String] = [], groups: [String: [T]] = [:]
    for item in items {
        let k = key(item)
        if groups[k] == nil { order.append(k) }
        groups[k, default: []].append(item)
    }
    return order.map { ($0, groups[$0]!) }
}

/// What the inspect's lines offer the lines after them (the check's, the probes' guard), as
/// shell functions: a later fragment calls these and reads none of the inspect's variables.
enum InspectShell {
    /// `stackctl_running NAME`: whether the program (a supervisord name or a unit) runs.
    static let running: ShellCode = "stackctl_running"
    /// `stackctl_all_running`: whether every program of the host runs.
    static let allRunning: ShellCode = "stackctl_all_running"

    /// `stackctl_running A && stackctl_running B`, each name a word of its own; `true` for none.
    static func each(_ names: [String]) -> ShellCode {
        names.map { name -> ShellCode in "\(running) \(name)" }.reduce(nil) { (sum: ShellCode?, next) in sum.map { $0 + " && " + next } ?? next } ?? "true"
    }
}
