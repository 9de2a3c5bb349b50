extension Scripts {
    /// Everything `status` needs from a host in one round trip: file hashes (drift), process
    /// state with pid and uptime, unix socket facts, the middle user's groups, the last lines of
    /// the servers' error logs, and the release each pool's `current` link points at.
    public static func status(_ plan: HostPlan) -> HostScript<HostStatusFacts> {
        var s = inspectBody(plan)
        let t = plan.topology
        s += processes(plan) + Strays.list(plan)
        s += lastLines(plan.programs, plan)
        // Each unix socket's directory, which the middle's user must be able to enter.
        for dir in Set(t.workers(on: plan.host.name).compactMap { w -> String? in
            if case .unix = w.endpoint { return t.socketDirectory(w.pool) } else { return nil } }).sorted() {
            s += "[ -d \(dir) ] && \(ShellCode.emit(.sock, "\"$(stat -c '%a:%U:%G' \(dir))\"", "\(dir)"))\n"
        }
        for w in t.workers(on: plan.host.name) {
            guard case .unix(let path) = w.endpoint else { continue }
            let mode: ShellCode = "\"$(stat -c '%a:%U:%G' \(path))\""
            s += "if [ -S \(path) ]; then \(ShellCode.emit(.sock, mode, "\(path)")); else \(ShellCode.emit(.nosock, "\(path)")); fi\n"
        }
        s += dataChecks(plan)
        if plan.tiers.contains(.front) { s += maintenanceFacts(plan) }
        if plan.tiers.contains(.front), t.manifest.front.tls?.acme != nil { s += acmeFacts(plan) }
        // A paused rollout holds the lock between runs: status names it, and counts its canary's share.
        s += "[ -f \(lockPath(t)) ] && \(heldLine(lockPath(t)))\n"
        if plan.programs.contains(where: { $0.tier == .middle }) { s += servedCounts(plan) }
        let middle = t.manifest.middle
        if plan.programs.contains(where: { $0.tier == .middle }) || !t.workers(on: plan.host.name).isEmpty {
            s += ShellCode.emit(.groups, "\(middle.user)", "\"$(id -nG \(middle.user) 2>/dev/null)\"") + "\n"
        }
        let logs: [(Tier, String)] = [
            (.middle, "\(t.logDirectory)/\(middle.server == .nginx ? "nginx" : "lighttpd")-error.log"),
            (.front, "\(t.logDirectory)/apache-error.log"),
        ]
        if plan.programs.contains(where: { $0.tier != .workers }) {
            s += ShellCode.emit(.clock, "\"$(date +%s)\"", "\"$(date '+%Y-%m-%d %H:%M:%S')\"") + "\n"
        }
        for (tier, log) in logs where plan.programs.contains(where: { $0.tier == tier }) {
            s += "[ -f \(log) ] && tail -n 40 \(log) | while IFS= read -r l; do \(ShellCode.emit(.log, "\(tier.rawValue)", #""$l""#)); done\n"
        }
        return HostScript(.status, s + "exit 0\n", timeout: .seconds(60))
    }

    /// `@proc NAME STATE PID UPTIME` for each of the host's programs (and `@spawnerr NAME TEXT`
    /// where supervisord could not spawn one).
    static func processes(_ plan: HostPlan) -> ShellCode {
        var s: ShellCode = ""
        let t = plan.topology
        switch plan.host.processManager {
        case .supervisord:
            s += "[ -S \(t.supervisorSocketPath) ] && \(ServiceControl.supervisor(plan, ["detail"])) 2>/dev/null\n"
            s = s.printing(.proc, .spawnerr)
        case .systemd:
            // `systemctl show` prints properties in its own order, whatever order -p asks for.
            s += """
            unitproc() {
              active=; sub=; load=; pid=0; since=0; restarts=0; result=; code=0; st=0; burst=0; interval=
              while IFS='=' read -r k v; do
                case $k in ActiveState) active=$v ;; SubState) sub=$v ;; LoadState) load=$v ;; MainPID) pid=$v ;;
                  ActiveEnterTimestampMonotonic) since=$v ;; NRestarts) restarts=$v ;;
                  Result) result=$v ;; ExecMainCode) code=$v ;; ExecMainStatus) st=$v ;; StartLimitBurst) burst=$v ;; StartLimitIntervalUSec) interval=$v ;; esac
              done <<EOF
            $(systemctl show -p ActiveState -p SubState -p LoadState -p MainPID -p ActiveEnterTimestampMonotonic -p NRestarts \
              -p Result -p ExecMainCode -p ExecMainStatus -p StartLimitBurst -p StartLimitIntervalUSec "$1" 2>/dev/null)
            EOF
              # How its last run ended, and the start limit that may have stopped systemd trying again.
              [ "$active" = failed ] &&
                \(ShellCode.emit(.unitEnd, #""$1""#, #""${result:-none}""#, #""$code""#, #""$st""#, #""$burst""#, #""${interval:-0}""#,
                                 #""${restarts:-0}""#))
              state="$active/$sub"; [ "$state" = active/running ] && state=running; [ -z "$active" ] && state=unknown
              # Killed or crashed, and not yet tried again since it was last started: systemd will
              # (RestartSec), and that attempt's words are the why, not the last ones before.
              [ "$state" = activating/auto-restart ] && [ "${restarts:-0}" = 0 ] && state=activating/restart-pending
              [ "$load" = masked ] && [ "$state" != running ] && state=masked
              up=0; [ "$state" = running ] && [ "$since" -gt 0 ] && up=$(( $(cut -d' ' -f1 /proc/uptime | cut -d. -f1) - since / 1000000 ))
              \(ShellCode.emit(.proc, #""$1""#, #""$state""#, #""$pid""#, #""$up""#))
            }

            """
            for p in plan.programs { s += "unitproc \(ServiceControl.name(p, plan))\n" }
        }
        return s
    }

    /// `@data PATH STATE` for each data directory of the host's pools: `ok` when the pool's
    /// user may write in it, else `missing` or `unwritable MODE:OWNER:GROUP`.
    static func dataChecks(_ plan: HostPlan) -> ShellCode {
        var s: ShellCode = ""
        for pool in plan.topology.manifest.pools where pool.hosts.contains(plan.host.name) {
            for data in pool.data {
                let p = data.path
                let asUser = ["setpriv", "--reuid=" + pool.user, "--regid=" + pool.group, "--init-groups", "--", "test", "-w", p, "-a", "-x", p]
                let facts: ShellCode = "\"unwritable $(stat -c '%a:%U:%G' \(p))\""
                s += """
                if [ ! -d \(p) ]; then \(ShellCode.emit(.data, "\(p)", "missing"))
                elif \(asUser) 2>/dev/null; then \(ShellCode.emit(.data, "\(p)", "ok"))
                else \(ShellCode.emit(.data, "\(p)", facts)); fi

                """
            }
        }
        return s
    }

    /// The state of every program on the host, for a health gate deciding whether to wait on.
    public static func processStates(_ plan: HostPlan) -> HostScript<HostStatusFacts> {
        HostScript(.states, processes(plan) + "exit 0\n", timeout: .seconds(30))
    }

    /// `@plog NAME LINE`: the last line each program wrote (supervisord's log file, or the
    /// unit's journal): why a program that will not start fails.
    static func lastLines(_ programs: [Program], _ plan: HostPlan) -> ShellCode {
        // The last line that says something: a traceback's frames are indented, and one still
        // being written ends in its "Traceback" header; the exception line of the last
        // complete one is the why. supervisord's child says why it did not spawn the program
        // ("couldn't chdir to ...") on the line before its generic last word.
        var s: ShellCode = """
        said() { grep -v -e '^[[:space:]]' -e '^Traceback (most recent call last):$' -e '^supervisor: child process was not spawned$' | tail -n 1; }

        """
        if plan.host.processManager == .systemd {
            // The program's own last line of its latest run (what it printed before it died),
            // else systemd's last error about that run (an executable it could not find), else
            // the program's last words of an earlier attempt (a unit restarting after a crash has
            // a new invocation with nothing in it yet), else the unit's last journal line.
            // systemd's bare "Failed to start UNIT" says nothing the state does not: passed over.
            // First, systemd's own words on why it could not spawn the program in its latest
            // attempt (the lines since its last "Starting"): a restarting unit's invocation
            // may be another attempt's.
            s += """
            spawnerr='step [A-Z]+ spawning|Changing to the requested working directory|Failed to locate executable|Failed to determine user credentials'
            unitlog() {
              inv=$(systemctl show -p InvocationID --value "$1" 2>/dev/null)
              line=$(journalctl -u "$1" -n 60 -o cat --no-pager 2>/dev/null | awk '/^Starting /{b=""} {b=b $0 "\\n"} END{printf "%s", b}' | grep -E "$spawnerr" | tail -n 1)
              if [ -z "$line" ] && [ -n "$inv" ]; then
                line=$(journalctl _SYSTEMD_INVOCATION_ID="$inv" -n 30 -o cat --no-pager 2>/dev/null | said)
                [ -n "$line" ] || line=$(journalctl INVOCATION_ID="$inv" -p err -n 5 -o cat --no-pager 2>/dev/null | grep -v '^Failed to start ' | tail -n 1)
              fi
              [ -n "$line" ] || line=$(journalctl _SYSTEMD_UNIT="$1" -n 30 -o cat --no-pager 2>/dev/null | said)
              [ -n "$line" ] || line=$(journalctl -u "$1" -n 1 -o cat --no-pager 2>/dev/null)
              \(ShellCode.emit(.plog, #""$1""#, #""$line""#))
            }

            """
        }
        for p in programs {
            let name = ServiceControl.name(p, plan)
            switch plan.host.processManager {
            case .supervisord:
                let log = "\(plan.topology.logDirectory)/\(p.name).log"
                s += "[ -s \(log) ] && \(ShellCode.emit(.plog, "\(name)", "\"$(tail -n 30 \(log) | said)\""))\n"
            case .systemd:
                s += "unitlog \(name)\n"
            }
        }
        return s
    }
}

/// What the status script found on a host, beyond `HostState`.
public struct HostStatusFacts: ScriptReply, Equatable {
    public struct Process: Sendable, Equatable {
        public var state: ProcessState
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
    /// Why supervisord could not spawn a program (a missing command), from supervisord itself.
    public var spawnError: [String: String] = [:]
    /// A data directory's path to `ok`, `missing` or `unwritable MODE:OWNER:GROUP`.
    public var data: [String: String] = [:]
    /// How a failed systemd unit's last run ended.
    public var unitEnds: [String: UnitEnd] = [:]
    /// The front host's maintenance mode, when on.
    public var maintenance: MaintenanceState?
    /// The deploy lock's holder line, when the lock is held.
    public var lockLine: String?
    /// While a rollout is paused, on a middle host: requests sent to each worker since the pause.
    public var served: [String: Int] = [:]
    /// On a front host with ACME: what its mod_md says of the managed domains.
    public var acme: ACMEReply?

    /// The host's clock: seconds since the epoch, and how far its local time is ahead of UTC.
    public struct HostClock: Sendable, Equatable {
        public var epoch: Double
        public var offset: Double
    }
    public var clock: HostClock?

    public init(state: HostState) { self.state = state }

    public init(_ output: ScriptOutput) {
        state = HostState(output)
        for m in output.markers {
            switch m.tag {
            case .proc: processes[m.fields[0]] = Process(state: ProcessState(m.fields[1]), pid: Int(m.fields[2]) ?? 0, uptime: Int(m.fields[3]) ?? 0)
            case .sock: sockets[m.fields[1]] = .some(m.fields[0])
            case .nosock: sockets[m.fields[0]] = .some(nil)
            case .groups: middleUserGroups = m.fields[1].split(separator: " ").map(String.init)
            case .log: logs[m.fields[0], default: []].append(m.fields[1])
            case .plog where !m.fields[1].isEmpty: lastLogLine[m.fields[0]] = m.fields[1]
            case .spawnerr: spawnError[m.fields[0]] = m.fields[1]
            case .data: data[m.fields[0]] = m.fields[1]
            case .unitEnd: unitEnds[m.fields[0]] = UnitEnd(m.fields)
            case .maint: maintenance = MaintenanceReply.state(m)
            case .held: lockLine = m.fields[0]
            case .served: served[m.fields[0], default: 0] += Int(m.fields[1]) ?? 0
            case .acme: acme = ACMEReply(m)
            case .clock:
                if let epoch = Double(m.fields[0]), let local = ErrorLog.localTime(m.fields[1]) { clock = HostClock(epoch: epoch, offset: local - epoch) }
            default: continue
            }
        }
    }

    public static func parse(_ text: String) -> HostStatusFacts { HostStatusFacts(ScriptOutput(text)) }
}
