/// The health checks of each tier, as data.
public enum Probes {
    public static func workers(_ t: Topology, host: String) -> [Probe] {
        t.workers(on: host).compactMap { w in
            guard let pool = t.manifest.pool(named: w.pool) else { return nil }
            // The app sees what the middle would send for its first mount.
            let mount = t.manifest.middle.routes.first { $0.pool == pool.name }
            let scriptName = mount.map { $0.isRoot ? "" : $0.prefix } ?? ""
            let kind: Probe.Kind = pool.gateway == .scgi ? .scgi(path: pool.health.path, scriptName: scriptName)
                : .fastcgi(path: pool.health.path, scriptName: scriptName)
            var probe = Probe(tier: .workers, host: host, endpoint: w.endpoint, kind: kind,
                              label: "pool \(pool.name) instance \(w.index) (\(w.endpoint)\(pool.gateway == .scgi ? ", SCGI" : ""))",
                              timeout: pool.health.timeout, pool: pool.name,
                              instance: w.index, slow: pool.health.slow)
            probe.site = t.probeSite(pool.health.host, or: t.frontAddress)
            return probe
        }
    }

    public static func middle(_ t: Topology, host: String) -> [Probe] {
        let m = t.manifest.middle
        let endpoint = Endpoint.tcp(address: t.middleConnectAddress(of: host), port: m.port)
        let site = t.probeSite(m.appHealth.host, or: t.middleConnectAddress(of: host))
        var probes: [Probe] = []
        if !m.staticHealth.path.isEmpty {
            let ext = m.staticHealth.path.split(separator: "/").last?.split(separator: ".").last.map { String($0).lowercased() } ?? ""
            let type = MimeTypes.merged(with: m.mimeTypes).first { $0.ext == ext }.map { String($0.type.split(separator: ";")[0]) }
            probes.append(Probe(tier: .middle, host: host, endpoint: endpoint, kind: .http(path: m.staticHealth.path, contentType: type),
                                label: "static \(m.staticHealth.path)", timeout: m.staticHealth.timeout, slow: m.staticHealth.slow))
        }
        probes.append(Probe(tier: .middle, host: host, endpoint: endpoint, kind: .http(path: appPath(t), contentType: nil),
                            label: "app \(appPath(t))", timeout: m.appHealth.timeout, through: pool(serving: appPath(t), t), slow: m.appHealth.slow))
        return probes.map { var p = $0; p.site = site; return p }
    }

    /// `middle.health.app`, or the first route's pool health path under that route.
    static func appPath(_ t: Topology) -> String {
        let m = t.manifest.middle
        if !m.appHealth.path.isEmpty { return m.appHealth.path }
        guard let route = m.routes.first, let pool = t.manifest.pool(named: route.pool) else { return "/" }
        return route.isRoot ? pool.health.path : route.prefix + pool.health.path
    }

    /// The pool whose route answers `path` (the longest matching prefix), if any does.
    static func pool(serving path: String, _ t: Topology) -> String? {
        let routes = t.manifest.middle.routes.filter { $0.isRoot || path == $0.prefix || path.hasPrefix($0.prefix + "/") }
        return routes.max { $0.prefix.count < $1.prefix.count }?.pool
    }

    public static func front(_ t: Topology, host: String) -> [Probe] {
        let f = t.manifest.front
        let listen = t.frontListenAddress(on: host)
        let address = Topology.isWildcard(listen) ? t.hostAddress(host) : listen
        var probe = Probe(tier: .front, host: host, endpoint: .tcp(address: address, port: f.tls?.port ?? f.port),
                          kind: .http(path: f.health.path, contentType: nil),
                          label: "front \(f.tls == nil ? "" : "https ")\(f.health.path)", timeout: f.health.timeout,
                          through: pool(serving: f.health.path, t), slow: f.health.slow)
        probe.site = t.probeSite(f.health.host, or: address)
        // With HTTPS the front is probed over TLS (the plain port may only redirect).
        if f.tls != nil { probe.tls = f.health.host ?? t.plainServerName ?? address }
        return [probe]
    }

    /// A tier's probes on a host; their answers hide the stack's secrets (an app may echo one).
    public static func of(_ tier: Tier, _ t: Topology, host: String) -> [Probe] {
        let probes = switch tier {
        case .workers: workers(t, host: host)
        case .middle: middle(t, host: host)
        case .front: front(t, host: host)
        }
        let redactor = t.manifest.redactor
        return redactor.isEmpty ? probes : probes.map { var p = $0; p.redactor = redactor; return p }
    }
}

/// Runs a host's probes through its transport until all are healthy or the tier's time is up,
/// retrying the unhealthy ones with backoff. Time comes from the injected clock.
public struct Prober<C: Clock>: Sendable where C.Duration == Duration {
    public let clock: C
    public let python: String

    public init(clock: C, python: String = Platform().python) {
        self.clock = clock
        self.python = python
    }

    /// `giveUp` is asked after each failed round with the probes still failing: when it says
    /// nothing will change (their programs have exited), the wait ends before the time is up.
    /// `stop` is asked while a round is in flight too: once it says so (a signal), the wait ends
    /// within 100 ms, the round's answers dropped, and the probes not yet healthy say so.
    public func check(_ probes: [Probe], over transport: any Transport, retrying: Bool = true,
                      giveUp: (@Sendable ([Probe]) async -> Bool)? = nil,
                      stop: (@Sendable () -> Bool)? = nil) async throws(TransportError) -> [ProbeResult] {
        guard !probes.isEmpty else { return [] }
        let limit = Duration.milliseconds(Int64((probes.map(\.timeout).max() ?? 30) * 1000))
        let start = clock.now
        var results = [ProbeResult?](repeating: nil, count: probes.count)
        var pending = Array(probes.indices)
        var backoff = Duration.milliseconds(100)
        while true {
            let batch = pending.map { probes[$0] }
            let command = Relay.command(batch.map(\.exchange), python: python)
            let round = { @Sendable () async throws(TransportError) in try await transport.run(command) }
            guard let output = try await Stoppable.value(of: round, clock: clock, stop: stop) else {
                for index in pending where results[index] == nil {
                    results[index] = probes[index].evaluate(Relay.Answer(outcome: .error, milliseconds: 0, bytes: [], message: "the run was stopped"))
                }
                break
            }
            let answers = Relay.decode(output.stdout, count: batch.count)
            for (k, index) in pending.enumerated() {
                let answer = answers?[k] ?? Relay.Answer(outcome: .error, milliseconds: 0, bytes: [],
                    message: "the probe relay failed: \(Probe.snippet(output.stderrText))")
                results[index] = probes[index].evaluate(answer)
            }
            pending = pending.filter { results[$0]?.healthy == false }
            if !retrying || pending.isEmpty || start.duration(to: clock.now) + backoff > limit || stop?() == true { break }
            if let giveUp, await giveUp(pending.map { probes[$0] }) { break }
            try? await clock.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(1))
        }
        return await slowAskedAgain(results.compactMap { $0 }, over: transport, stop: stop)
    }

    /// Answers over their slow threshold asked once more, the faster healthy answer of the two
    /// standing: slow is what stays slow, not one answer held up (a worker's first request after
    /// its start loads what its app loads lazily, such as Django's URLconf; a busy host holds up
    /// a round). Where the second round fails to come back, the first answers stand.
    public func slowAskedAgain(_ results: [ProbeResult], over transport: any Transport,
                               stop: (@Sendable () -> Bool)? = nil) async -> [ProbeResult] {
        let slow = results.indices.filter { results[$0].isSlow }
        guard !slow.isEmpty, stop?() != true else { return results }
        let command = Relay.command(slow.map { results[$0].probe.exchange }, python: python)
        guard let output = try? await transport.run(command),
              let answers = Relay.decode(output.stdout, count: slow.count) else { return results }
        var faster = results
        for (k, answer) in zip(slow, answers) {
            var again = results[k].probe.evaluate(answer)
            again.heldUp = results[k].milliseconds
            if again.healthy && again.milliseconds < results[k].milliseconds { faster[k] = again }
        }
        return faster
    }
}
