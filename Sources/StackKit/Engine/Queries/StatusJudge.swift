import Foundation

/// Judges the instances of one host: process state, probe answer, drift and the reason in one
/// line when something is wrong.
struct StatusJudge<C: Clock> where C.Duration == Duration {
    let seen: StatusChecker<C>.Seen
    let topology: Topology
    /// Certificates' days are counted from here.
    var now = Date()

    var plan: HostPlan { seen.plan }
    var host: String { plan.host.name }

    func instances(of tier: Tier) -> [StatusReport.Instance] {
        guard plan.tiers.contains(tier) else { return [] }
        switch tier {
        case .workers:
            return topology.workers(on: host).map { w in
                let program = plan.programs.first { $0.pool == w.pool && $0.instance == w.index }
                let probe = seen.probes.first { $0.probe.tier == .workers && $0.probe.endpoint == w.endpoint }
                return instance(tier, name: "\(w.pool)/\(w.index)", listen: "\(w.endpoint)", program: program,
                                probes: probe.map { [$0] } ?? [], role: .workers(pool: w.pool), endpoint: w.endpoint, pool: w.pool)
            }
        case .middle, .front:
            let program = plan.programs.first { $0.tier == tier }
            let probes = seen.probes.filter { $0.probe.tier == tier }
            let listen: String
            if tier == .middle {
                listen = Topology.hostPort(topology.middleListenAddress(on: host), topology.manifest.middle.port)
            } else {
                listen = Topology.hostPort(topology.frontListenAddress(on: host), topology.manifest.front.port)
                    + (topology.manifest.front.tls.map { ",\($0.port)" } ?? "")
            }
            let name = tier == .middle ? topology.manifest.middle.server.rawValue : "apache2"
            return [instance(tier, name: name, listen: listen, program: program, probes: probes, role: tier == .middle ? .middle : .front,
                endpoint: nil, pool: nil)]
        }
    }

    func instance(_ tier: Tier, name: String, listen: String, program: Program?, probes: [ProbeResult],
                  role: FileRole, endpoint: Endpoint?, pool: String?) -> StatusReport.Instance {
        guard let facts = seen.facts else {
            return StatusReport.Instance(tier: tier, host: host, name: name, listen: listen, process: nil, health: nil, drift: "unknown",
                                         driftFiles: [], release: nil, healthy: false, why: "host \(seen.error?.message ?? "unreachable: no answer")")
        }
        let managerName = program.map { ServiceControl.name($0, plan) }
        var process = managerName.flatMap { facts.processes[$0] }
            .map { StatusReport.Process(state: $0.state.word, pid: $0.pid == 0 ? nil : $0.pid, uptimeSeconds: $0.uptime == 0 ? nil : $0.uptime) }
            ?? StatusReport.Process(state: facts.state.managerRunning ? "stopped" : "not started", pid: nil, uptimeSeconds: nil)
        let strays = Strays.find(plan, facts.state).filter { $0.program == managerName }
        let (drift, driftFiles) = self.drift(role, facts.state)
        let healthy = !probes.isEmpty && probes.allSatisfy(\.healthy)
        let worst = probes.first { !$0.healthy } ?? probes.first
        let health = worst.map { StatusReport.Health(healthy: healthy, status: $0.status, latencyMs: probes.map(\.milliseconds).max() ?? 0, answer: $0.answer) }
        var why: String? = healthy ? nil : reason(tier, worst, process, endpoint, facts, program: program)
        var ok = healthy
        // The probe runs as root; the middle server does not. A socket it cannot open is down for it.
        if healthy, case .unix(let path)? = endpoint, let problem = socketPermission(path, facts) {
            ok = false
            why = problem
        }
        if let stray = strayWhy(strays, process, facts.state) {
            ok = false
            why = stray
            process = StatusReport.Process(state: "unmanaged", pid: strays[0].pid, uptimeSeconds: nil)
        }
        var instance = StatusReport.Instance(tier: tier, host: host, name: name, listen: listen, process: process, health: health, drift: drift,
                                             driftFiles: driftFiles, release: pool.flatMap { facts.releases[$0] }, healthy: ok, why: why)
        if ok, let slow = probes.first(where: \.isSlow) {
            instance.slow = true
            instance.why = "slow: \(slow.probe.label) \(slow.slowness)"
        }
        if let problem = dataProblem(pool, facts), name.hasSuffix("/0") {
            instance.dataBad = true
            instance.why = [instance.why, problem].compactMap { $0 }.joined(separator: "; ")
        }
        if ok, let managerName, let pending = PendingRestart.said(facts.state.pendingRestarts).first(where: { $0.program == managerName }) {
            instance.restartPending = true
            instance.why = [instance.why, "restart pending: " + pending.message(tier)].compactMap { $0 }.joined(separator: "; ")
        }
        if let certificate = probes.lazy.compactMap(\.certificate).first {
            instance.certificateDays = certificate.daysLeft(now: now)
            instance.certificateExpires = certificate.notAfter
            if ok, let problem = certificate.problem(now: now) {
                instance.certificateBad = problem.degraded
                instance.why = [instance.why, problem.text].compactMap { $0 }.joined(separator: "; ")
            }
        }
        if tier == .front, let acme = seen.facts?.acme {
            for problem in ManagedCertificate.entries(host: host, acme).compactMap(\.problem) {
                if problem.degraded { instance.certificateBad = true }
                instance.why = [instance.why, problem.text].compactMap { $0 }.joined(separator: "; ")
            }
        }
        return instance
    }

    /// `supervisord is not running; pid 4242 serves it unmanaged ...`: a program's processes
    /// that run outside supervisord, which keep its replacement from starting.
    func strayWhy(_ strays: [Stray], _ process: StatusReport.Process, _ state: HostState) -> String? {
        guard !strays.isEmpty else { return nil }
        let pids = strays.map { "pid \($0.pid)" }.joined(separator: ", ")
        let fix = "`stackctl up` ends \(strays.count == 1 ? "it" : "them") and starts it under supervisord"
        guard state.managerRunning else {
            return "supervisord is not running; \(pids) still \(strays.count == 1 ? "serves" : "serve") it unmanaged, "
                + "left behind when supervisord died: \(fix)"
        }
        return "\(pids) \(strays.count == 1 ? "runs" : "run") it outside supervisord, which reports it \(process.state): \(fix)"
    }

    /// `data 'media' (/srv/...) is missing`, for each of the pool's data directories the pool's
    /// user cannot write in on this host.
    func dataProblem(_ pool: String?, _ facts: HostStatusFacts) -> String? {
        guard let pool = pool.flatMap(topology.manifest.pool(named:)) else { return nil }
        let problems = pool.data.compactMap { d -> String? in
            switch facts.data[d.path] {
            case "ok"?, nil: return nil
            case "missing"?: return "data '\(d.name)' (\(d.path)) is missing: `stackctl up` makes it"
            case let state?: return "data '\(d.name)' (\(d.path)) is not writable by \(pool.user): \(state.replacingOccurrences(of: "unwritable ", with: ""))"
            }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Drift of the files this instance runs from: what stackctl would render against the host.
    func drift(_ role: FileRole, _ state: HostState) -> (String, [String]) {
        // A pool.json whose secrets are not set here cannot be rendered as it is: not compared.
        let unresolved = Set(topology.manifest.pools.filter { !$0.unresolvedSecrets.isEmpty }.map { topology.poolConfigPath($0.name) })
        let files = plan.files.filter { $0.role == role && !unresolved.contains($0.path) }
        let missing = files.filter { state.files[$0.path] == nil }.map(\.path)
        let changed = files.filter { f in state.files[f.path].map { $0.sha256 != f.sha256 || $0.ownership != f.ownership } ?? false }.map(\.path)
        if !missing.isEmpty { return ("missing", missing) }
        if !changed.isEmpty { return ("changed on host", changed) }
        return ("in sync", [])
    }

    func reason(_ tier: Tier, _ probe: ProbeResult?, _ process: StatusReport.Process, _ endpoint: Endpoint?, _ facts: HostStatusFacts,
        program: Program?) -> String {
        let state = ProcessState(process.state), name = program.map { ServiceControl.name($0, plan) }
        if state.word == "masked", let name {
            return "systemd has the unit masked, so nothing can start it; `systemctl unmask \(name)` undoes that, then `stackctl up`"
        }
        if !state.isRunning, let name, let why = facts.unitEnds[name]?.why(unit: name, lastLine: facts.lastLogLine[name]) { return why }
        if !state.isRunning {
            let manager = plan.host.processManager.rawValue
            let log = name.flatMap { facts.lastLogLine[$0] }
            // What explains it: supervisord's spawn error (a missing command), else the
            // program's last line (its child's "couldn't chdir"); a generic spawn error
            // ("Exited too quickly") only when the log has nothing. A program stopped on purpose
            // has no why: its last line is an earlier run's.
            let spawn = name.flatMap { facts.spawnError[$0] }
            let last = state.stoppedOnPurpose ? nil : log
            let candidates = [spawn, last].compactMap { $0 }
            if let program, let explained = candidates.lazy.compactMap({ line in
                SpawnWhy.explain(line, program, logDirectory: topology.logDirectory).map { (line, $0) } }).first {
                return "\(manager) reports it \(process.state): \(explained.1) (\(Probe.snippet(explained.0, limit: 300)))"
            }
            guard let said = last ?? spawn else { return "\(manager) reports it \(process.state)" }
            return "\(manager) reports it \(process.state); last log line: \(Probe.snippet(said, limit: 300))"
        }
        if let probe, !probe.stderr.isEmpty {
            let last = probe.stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? probe.stderr
            return "worker stderr: \(Probe.snippet(last, limit: 300))"
        }
        if case .unix(let path)? = endpoint, let probe, probe.connection == .refused {
            return "stale socket: \(path) exists but nothing listens on it"
        }
        if tier != .workers, let probe, let line = ErrorLog.pick(facts.logs[tier.rawValue] ?? [], clock: facts.clock, mentioning: needles(probe)) {
            return peerWhy(probe, line) ?? "\(probe.answer); error log: \(Probe.snippet(line))"
        }
        return probe?.answer ?? "no probe answer"
    }

    /// `503: middle1 (127.0.0.12:8000) refused the connection`: a server's error-log line about
    /// the peer it could not reach (Apache's AH00957, nginx's upstream connect), said with the
    /// peer's name from the manifest.
    func peerWhy(_ probe: ProbeResult, _ line: String) -> String? {
        guard let address = SpawnWhy.capture(line, #"attempt to connect to (\S+) "#) ?? SpawnWhy.capture(line, #"upstream: "\w+://([^"]+)""#),
              let code = SpawnWhy.capture(line, #"\((\d+)[:)]"#).flatMap(Int.init) else { return nil }
        let what = switch code {
        case 111: "refused the connection"
        case 110: "did not answer in time (connection timed out)"
        case 113: "cannot be reached (no route to host)"
        case 2: "has no socket there"
        case 13: "refused it (permission denied)"
        default: "could not be reached (errno \(code))"
        }
        let t = topology, m = t.manifest.middle
        var peer: String? = m.hosts.first { Topology.hostPort(t.middleConnectAddress(of: $0), m.port) == address }
        if peer == nil {
            for host in t.manifest.hosts.map(\.name) {
                for w in t.workers(on: host) where Self.tcp(w.endpoint) == address { peer = "pool \(w.pool) instance \(w.index) on \(host)" }
            }
        }
        return "\(probe.status.map(String.init) ?? "no answer"): \(peer ?? "the peer") (\(address)) \(what)"
    }

    static func tcp(_ endpoint: Endpoint) -> String? {
        if case .tcp(let address, let port) = endpoint { Topology.hostPort(address, port) } else { nil }
    }

    /// What an error-log line about this probe names: its path, or a peer it goes through
    /// (the pool's workers behind the middle, the middle hosts behind the front).
    func needles(_ probe: ProbeResult) -> [String] {
        var needles: [String] = []
        if case .http(let path, _) = probe.probe.kind {
            // `/` alone would match every line: then only a logged request line for it.
            needles.append("GET \(path) ")
            let bare = path.split(separator: "?").first.map(String.init) ?? path
            if bare.count > 1 { needles.append(bare) }
        }
        if probe.probe.tier == .front {
            let m = topology.manifest.middle
            needles += m.hosts.map { Topology.hostPort(topology.middleConnectAddress(of: $0), m.port) }
        } else if let pool = probe.probe.through, let p = topology.manifest.pool(named: pool) {
            for host in p.hosts {
                for w in topology.workers(on: host) where w.pool == pool {
                    switch w.endpoint {
                    case .tcp(let address, let port): needles.append(Topology.hostPort(address, port))
                    case .unix(let path): needles.append(path)
                    }
                }
            }
        }
        return needles
    }

    /// Whether the middle server's user can connect to a unix socket (it needs write permission).
    func socketPermission(_ path: String, _ facts: HostStatusFacts) -> String? {
        let user = topology.manifest.middle.user
        // Its directory first: without search (x) on it the socket cannot be reached at all.
        let dir = (path as NSString).deletingLastPathComponent
        if let (allowed, shown) = permits(facts.sockets[dir], bit: 0o1, facts), !allowed {
            return "the middle server's user \(user) cannot enter \(dir) (\(shown)), so cannot reach \(path); `stackctl up` puts its mode back"
        }
        guard let (allowed, shown) = permits(facts.sockets[path], bit: 0o2, facts) else { return nil }
        return allowed ? nil : "the middle server's user \(user) cannot open \(path) (\(shown))"
    }

    /// Whether the middle's user has permission `bit` (0o4 read, 0o2 write, 0o1 search) on a
    /// file whose stat is `MODE:OWNER:GROUP`, as its owner, through its groups, or as anyone;
    /// with the stat as `MODE OWNER:GROUP`. Nil when the file is not there.
    func permits(_ stat: String??, bit: Int, _ facts: HostStatusFacts) -> (Bool, String)? {
        guard let entry = stat, let ownership = entry else { return nil }
        let parts = ownership.split(separator: ":").map(String.init)
        guard parts.count == 3, let mode = Int(parts[0], radix: 8) else { return nil }
        let user = topology.manifest.middle.user
        let allowed = (parts[1] == user && mode & (bit << 6) != 0) || (facts.middleUserGroups.contains(parts[2]) && mode & (bit << 3) != 0) || mode & bit != 0
        return (allowed, "\(parts[0]) \(parts[1]):\(parts[2])")
    }
}
