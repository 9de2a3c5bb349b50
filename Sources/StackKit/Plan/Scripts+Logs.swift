extension Scripts {
    /// Where a host's log lines come from: a file, or a systemd unit's journal, each with the
    /// name printed before its lines.
    public enum LogSource: Sendable, Equatable {
        case file(name: String, path: String)
        case journal(unit: String)

        public var name: String {
            switch self {
            case .file(let name, _): name
            case .journal(let unit): unit
            }
        }
    }

    /// The logs `stackctl logs` reads on a host: each program's own log (supervisord's log file
    /// or the unit's journal), the servers' error logs, and supervisord's own log. `tier` and
    /// `pool` narrow them; nil takes everything.
    public static func logSources(_ plan: HostPlan, tier: Tier?, pool: String?) -> [LogSource] {
        let t = plan.topology
        var sources: [LogSource] = []
        let programs = plan.programs.filter { p in (tier == nil || p.tier == tier) && (pool == nil || p.pool == pool) }
        for p in programs {
            switch plan.host.processManager {
            case .supervisord: sources.append(.file(name: p.name, path: "\(t.logDirectory)/\(p.name).log"))
            case .systemd: sources.append(.journal(unit: ServiceControl.name(p, plan)))
            }
        }
        if programs.contains(where: { $0.tier == .middle }) {
            let server = t.manifest.middle.server == .nginx ? "nginx" : "lighttpd"
            sources.append(.file(name: "\(server)-error", path: "\(t.logDirectory)/\(server)-error.log"))
        }
        if programs.contains(where: { $0.tier == .front }) {
            sources.append(.file(name: "apache-error", path: "\(t.logDirectory)/apache-error.log"))
        }
        if plan.host.processManager == .supervisord && !programs.isEmpty && (tier == nil || tier == .workers) {
            sources.append(.file(name: "supervisord", path: "\(t.logDirectory)/supervisord.log"))
        }
        return sources
    }

    /// `NAME LINE` for the last `lines` lines of each source; with `follow`, then every new line
    /// as it is written, until the connection closes (stdin's end stops the tails).
    public static func logs(_ sources: [LogSource], lines: Int, follow: Bool) -> RemoteCommand {
        let n = String(lines)
        var s: ShellCode = ""
        for source in sources {
            let name = source.name
            let reader: ShellCode = switch source {
            case .file(_, let path): follow ? "tail -n \(n) -F \(path) 2>/dev/null" : "[ -f \(path) ] && tail -n \(n) \(path)"
            case .journal(let unit):
                follow ? "journalctl -u \(unit) -n \(n) -o short-iso --no-pager --no-hostname -f 2>/dev/null"
                    : "journalctl -u \(unit) -n \(n) -o short-iso --no-pager --no-hostname 2>/dev/null"
            }
            let prefix: ShellCode = "while IFS= read -r l; do printf '%s %s\\n' \(name) \"$l\"; done"
            s += follow ? "{ \(reader) | \(prefix); } &\n" : "{ \(reader); } | \(prefix)\n"
        }
        // sshd gives each command its own session: once stdin ends (the reader went away), the
        // whole process group goes, tails and all.
        if follow { s += "cat >/dev/null\nkill 0\n" }
        // Run by `sh -c`, so stdin stays free: its end is how a follow learns the reader left.
        return RemoteCommand(["sh", "-c", (Scripts.prelude.definitions + s).text], timeout: follow ? .seconds(86_400 * 365) : .seconds(60), phase: .command)
    }
}
