import Foundation

/// The shell scripts stackctl sends to a host, one per phase, built from argv values quoted in
/// `ShellQuote` only. Each prints `@` marker lines the engine parses; command output is
/// indented with `| `.
public enum Scripts {
    static let prelude = """
    set -u
    umask 022
    show() { printf '%s\\n' "$1" | sed -e '/^$/d' -e 's/^/| /'; }
    run() {
      label=$1; shift
      if out=$("$@" 2>&1); then printf '@ok %s\\n' "$label"; show "$out"
      else rc=$?; printf '@fail %s (exit %s)\\n' "$label" "$rc"; show "$out"; exit 1; fi
    }

    """

    static func q(_ s: String) -> String { ShellQuote.word(s) }
    static func line(_ argv: [String]) -> String { ShellQuote.line(argv) }

    /// Hashes and ownership of every planned file and directory, and what is running.
    public static func inspect(_ plan: HostPlan) -> String {
        prelude + inspectBody(plan) + "exit 0\n"
    }

    /// The inspect lines without prelude or exit, so `status` can extend them.
    static func inspectBody(_ plan: HostPlan) -> String {
        var s = """
        file() { if [ -f "$1" ]; then printf '@file %s %s %s\\n' "$(sha256sum < "$1" | cut -d' ' -f1)" "$(stat -c '%a:%U:%G' "$1")" "$1"; fi; }
        dir() { if [ -d "$1" ]; then printf '@dir %s %s\\n' "$(stat -c '%a:%U:%G' "$1")" "$1"; fi; }

        """
        for f in plan.files { s += "file \(q(f.path))\n" }
        for d in plan.directories { s += "dir \(q(d.path))\n" }
        for pool in plan.topology.manifest.pools where pool.source != nil && pool.hosts.contains(plan.host.name) {
            let t = plan.topology, current = q(t.currentLink(pool.name)), previous = q(t.poolDirectory(pool.name) + "/previous")
            s += "[ -L \(current) ] && echo \"@release \(pool.name) $(basename \"$(readlink \(current))\")\"\n"
            s += "[ -f \(previous) ] && echo \"@previous \(pool.name) $(cat \(previous))\"\n"
        }
        switch plan.host.processManager {
        case .supervisord:
            let status = line(ServiceControl.supervisor(plan, ["status"]))
            s += """
            if [ -S \(q(plan.topology.supervisorSocketPath)) ] && status=$(\(status) 2>/dev/null); then
              echo '@manager up'; [ -n "$status" ] && printf '%s\\n' "$status"
            else echo '@manager down'; fi

            """
        case .systemd:
            s += "echo '@manager up'\n"
            for p in plan.programs {
                let unit = ServiceControl.name(p, plan)
                s += "systemctl is-active --quiet \(q(unit)) && echo \(q("@running " + unit))\n"
            }
        }
        return s
    }

    /// Creates directories, writes every changed file next to its target, and checks the new
    /// configs with the servers' own validators. Nothing live is touched; on a failed check the
    /// staged files are removed.
    public static func stage(_ plan: HostPlan, _ changes: HostChanges) -> String {
        prelude + stageBody(plan, changes) + "echo '@staged'\n"
    }

    /// Staging and checks without prelude; exits 1 (after cleaning up) when a check fails.
    static func stageBody(_ plan: HostPlan, _ changes: HostChanges) -> String {
        var s = ""
        for d in changes.directories {
            s += "run \(q("dir " + d.path)) install -d -m \(String(d.mode, radix: 8)) -o \(q(d.owner)) -g \(q(d.group)) \(q(d.path))\n"
        }
        for f in changes.files {
            let data = Data(f.file.contents.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            s += "mkdir -p \(q((f.path as NSString).deletingLastPathComponent))\n"
            s += "base64 -d > \(q(f.stagedPath)) <<'STACKCTL_EOF'\n\(data)\nSTACKCTL_EOF\n"
            s += "chown \(q(f.file.owner + ":" + f.file.group)) \(q(f.stagedPath)) && chmod \(String(f.file.mode, radix: 8)) \(q(f.stagedPath))\n"
        }
        let staged = changes.files.map { q($0.stagedPath) }.joined(separator: " ")
        s += "cleanup() { rm -f \(staged); }\ninvalid=0\n"
        s += """
        check() {
          label=$1; want=$2; shift 2
          out=$("$@" 2>&1); rc=$?
          if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then printf '@valid %s\\n' "$label"
          else printf '@invalid %s\\n' "$label"; show "$out"; invalid=1; fi
        }

        """
        for f in changes.files { s += validation(f, plan) }
        s += "if [ $invalid -ne 0 ]; then cleanup; exit 1; fi\n"
        return s
    }

    static func validation(_ f: PlannedFile, _ plan: HostPlan) -> String {
        let t = plan.topology, p = plan.platform, staged = q(f.stagedPath), label = q(f.path)
        let name = (f.path as NSString).lastPathComponent
        switch name {
        case "apache2.conf":
            return "check \(label) 'Syntax OK' \(line([p.apache2, "-t", "-f", f.stagedPath, "-d", t.frontDirectory]))\n"
        case "lighttpd.conf":
            // lighttpd -tt exits 0 on unknown keys: any output at all is a failure.
            return "check \(label) '' \(line([p.lighttpd, "-tt", "-f", f.stagedPath]))\n"
        case "nginx.conf":
            return "check \(label) '' \(line([p.nginx, "-t", "-q", "-p", t.middleDirectory, "-c", f.stagedPath]))\n"
        case "supervisord.conf":
            let py = "import sys; from supervisor.options import ServerOptions; ServerOptions().realize(args=['-c', sys.argv[1]])"
            return "check \(label) '' \"$(sed -n '1s/^#!//p' \"$(command -v supervisord)\")\" -c \(q(py)) \(staged)\n"
        case "launcher.py":
            guard case .workers(let poolName) = f.role, let pool = t.manifest.pool(named: poolName) else { return "" }
            // A sourced pool's interpreter comes with its release, which `prepare` checks for flup.
            let py = pool.source == nil
                ? "import sys, ast, flup.server.fcgi, flup.server.fcgi_fork; ast.parse(open(sys.argv[1]).read())"
                : "import sys, ast; ast.parse(open(sys.argv[1]).read())"
            return "check \(label) '' \(line([pool.source == nil ? pool.python : pool.baseInterpreter, "-c", py, f.stagedPath]))\n"
        default:
            guard f.path.hasPrefix("/etc/systemd/system/") else { return "" }
            let unit = name.replacingOccurrences(of: "@.service", with: "@0.service")
            return """
            vdir=$(mktemp -d) && cp \(staged) "$vdir"/\(q(unit))
            check \(label) '' systemd-analyze verify --man=no "$vdir"/\(q(unit))
            rm -rf "$vdir"

            """
        }
    }

    /// Puts a tier's staged files in place (rename: atomic) and runs its process-manager actions.
    public static func activate(_ actions: [Action], _ plan: HostPlan, _ changes: HostChanges) -> String {
        prelude + activateBody(actions, plan, changes) + "echo '@activated'\n"
    }

    /// Stages and checks `changes`, then activates them, in one round trip (a middle tier being
    /// drained or put back during a rollout).
    public static func stageAndActivate(_ actions: [Action], _ plan: HostPlan, _ changes: HostChanges) -> String {
        prelude + stageBody(plan, changes) + activateBody(actions, plan, changes) + "echo '@activated'\n"
    }

    static func activateBody(_ actions: [Action], _ plan: HostPlan, _ changes: HostChanges) -> String {
        var s = ""
        for action in actions {
            switch action {
            case .commit(let paths):
                for path in paths {
                    guard let f = changes.files.first(where: { $0.path == path }) else { continue }
                    s += "run \(q("commit " + path)) mv -f \(q(f.stagedPath)) \(q(path))\n"
                }
            case .startManager:
                s += "run 'start supervisord' \(line(ServiceControl.argv(action, plan)[0]))\n"
                let ctl = line(ServiceControl.supervisor(plan, ["status"]))
                s += "i=0; until \(ctl) >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 100 ] && { echo '@fail supervisord did not come up'; exit 1; }; sleep 0.1; done\n"
            default:
                for argv in ServiceControl.argv(action, plan) {
                    s += "run \(q(action.summary)) \(line(argv))\n"
                }
            }
        }
        return s
    }

    /// Removes staged files after another host failed validation.
    public static func cleanup(_ changes: HostChanges) -> String {
        "rm -f " + changes.files.map { q($0.stagedPath) }.joined(separator: " ") + "\n"
    }

    /// Stops a tier's programs; after the workers, stops the host's supervisord too.
    public static func down(_ tier: Program.Tier, _ plan: HostPlan, last: Bool) -> String {
        var s = prelude + "[ -f \(q(plan.topology.supervisorConfigPath)) ] || [ \(q(plan.host.processManager.rawValue)) = systemd ] || exit 0\n"
        let up = line(ServiceControl.supervisor(plan, ["status"]))
        if plan.host.processManager == .supervisord { s += "\(up) >/dev/null 2>&1 || { echo '@stopped'; exit 0; }\n" }
        for argv in ServiceControl.stop(tier, plan) { s += "run \(q("stop " + tier.rawValue)) \(line(argv))\n" }
        if last && plan.host.processManager == .supervisord {
            s += "run 'stop supervisord' \(line(ServiceControl.supervisor(plan, ["shutdown"])))\n"
        }
        return s + "echo '@stopped'\n"
    }
}
