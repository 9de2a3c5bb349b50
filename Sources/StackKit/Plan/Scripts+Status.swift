extension Scripts {
    /// Everything `status` needs from a host in one round trip: file hashes (drift), process
    /// state with pid and uptime, unix socket facts, the middle user's groups, the last lines of
    /// the servers' error logs, and the release each pool's `current` link points at.
    public static func status(_ plan: HostPlan) -> String {
        var s = prelude + inspectBody(plan)
        let t = plan.topology
        switch plan.host.processManager {
        case .supervisord:
            s += "[ -S \(q(t.supervisorSocketPath)) ] && \(line(ServiceControl.supervisor(plan, ["detail"]))) 2>/dev/null\n"
        case .systemd:
            for p in plan.programs {
                let unit = q(ServiceControl.name(p, plan))
                s += """
                set -- $(systemctl show -p SubState -p MainPID -p ActiveEnterTimestampMonotonic --value \(unit) 2>/dev/null)
                up=0; [ -n "${3:-}" ] && [ "${3:-0}" -gt 0 ] && up=$(( $(cut -d' ' -f1 /proc/uptime | cut -d. -f1) - ${3} / 1000000 ))
                echo "@proc \(ShellQuote.word(ServiceControl.name(p, plan))) ${1:-unknown} ${2:-0} $up"

                """
            }
        }
        // The last line each program wrote: why a worker that will not start fails.
        for p in plan.programs {
            let name = ShellQuote.word(ServiceControl.name(p, plan))
            switch plan.host.processManager {
            case .supervisord:
                let log = q("\(t.logDirectory)/\(p.name).log")
                s += "[ -s \(log) ] && echo \"@plog \(name) $(tail -n 1 \(log))\"\n"
            case .systemd:
                s += "echo \"@plog \(name) $(journalctl -u \(name) -n 1 --no-pager -o cat 2>/dev/null)\"\n"
            }
        }
        for w in t.workers(on: plan.host.name) {
            guard case .unix(let path) = w.endpoint else { continue }
            s += "if [ -S \(q(path)) ]; then echo \"@sock $(stat -c '%a:%U:%G' \(q(path))) \(path)\"; else echo \(q("@nosock " + path)); fi\n"
        }
        let middle = t.manifest.middle
        if plan.programs.contains(where: { $0.tier == .middle }) || !t.workers(on: plan.host.name).isEmpty {
            s += "echo \"@groups \(middle.user) $(id -nG \(q(middle.user)) 2>/dev/null)\"\n"
        }
        let logs: [(Program.Tier, String)] = [
            (.middle, "\(t.logDirectory)/\(middle.server == .nginx ? "nginx" : "lighttpd")-error.log"),
            (.front, "\(t.logDirectory)/apache-error.log"),
        ]
        for (tier, log) in logs where plan.programs.contains(where: { $0.tier == tier }) {
            s += "[ -f \(q(log)) ] && tail -n 3 \(q(log)) | sed 's/^/@log \(tier.rawValue) /'\n"
        }
        return s + "exit 0\n"
    }
}

/// What the status script found on a host, beyond `HostState`.
public struct HostStatusFacts: Sendable, Equatable {
    public struct Process: Sendable, Equatable {
        public var state: String
        public var pid: Int
        public var uptime: Int
    }

    public var state: HostState
    public var processes: [String: Process] = [:]
    /// Unix socket path to `mode:owner:group`, or nil when the file is missing.
    public var sockets: [String: String?] = [:]
    public var middleUserGroups: [String] = []
    public var logs: [String: [String]] = [:]
    public var releases: [String: String] { state.releases }
    /// The last line each program wrote to its log.
    public var lastLogLine: [String: String] = [:]

    public static func parse(_ text: String) -> HostStatusFacts {
        var facts = HostStatusFacts(state: HostState.parse(text))
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 4).map(String.init)
            switch parts.first {
            case "@proc" where parts.count >= 5:
                facts.processes[parts[1]] = Process(state: parts[2], pid: Int(parts[3]) ?? 0, uptime: Int(parts[4]) ?? 0)
            case "@sock" where parts.count >= 3: facts.sockets[parts[2]] = .some(parts[1])
            case "@nosock" where parts.count >= 2: facts.sockets[parts[1]] = .some(nil)
            case "@groups" where parts.count >= 2: facts.middleUserGroups = Array(line.split(separator: " ").dropFirst(2).map(String.init))
            case "@log" where parts.count >= 2:
                let tier = parts[1]
                let rest = line.dropFirst("@log \(tier) ".count)
                facts.logs[tier, default: []].append(String(rest))
            case "@plog" where parts.count >= 3: facts.lastLogLine[parts[1]] = String(line.dropFirst("@plog \(parts[1]) ".count))
            default: continue
            }
        }
        return facts
    }
}
