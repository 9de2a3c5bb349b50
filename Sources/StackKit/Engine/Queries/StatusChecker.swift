/// Reads every host in parallel (every probe of the host, then the status script: two round trips
/// over one connection) and judges each instance.
public struct StatusChecker<C: Clock>: Sendable where C.Duration == Duration {
    public let manifest: Manifest
    public let connections: Connections
    public var parallel: Int
    public let clock: C
    public var platform = Platform()

    public init(manifest: Manifest, connections: Connections, parallel: Int = 8, clock: C) {
        self.manifest = manifest
        self.connections = connections
        self.parallel = parallel
        self.clock = clock
    }

    struct Seen: Sendable {
        var plan: HostPlan
        var facts: HostStatusFacts?
        var probes: [ProbeResult]
        var error: HostFailure?
    }

    /// Every host, or only the hosts named in `only`.
    public func check(only: Set<String>? = nil) async -> StatusReport {
        let start = clock.now
        let plans = HostPlan.all(manifest, platform: platform).filter { only?.contains($0.host.name) ?? true }
        let prober = Prober(clock: clock, python: platform.python)
        let t = Topology(manifest)
        let runner = HostRunner(connections: connections, parallel: parallel, stopwatch: Stopwatch(clock))
        let outcomes = await runner.run(plans, phase: "status") { plan, transport -> Result<Seen, HostFailure> in
            // Probes first, one try each (status reports what is, it does not wait for it to get
            // better); then the script, so the error logs it reads hold what the probes caused.
            let probes = plan.tiers.flatMap { Probes.of($0, t, host: plan.host.name) }
            let results: [ProbeResult]
            do throws(TransportError) {
                results = try await prober.check(probes, over: transport, retrying: false)
            } catch {
                return .failure(.transport(error))
            }
            switch await HostRunner.execute(Scripts.status(plan), on: transport) {
            case .failure(let failure): return .failure(failure)
            case .success(let facts): return .success(Seen(plan: plan, facts: facts, probes: results))
            }
        }
        let seen = outcomes.map { o in
            (try? o.result.get()) ?? Seen(plan: o.item, facts: nil, probes: [], error: o.result.failure)
        }
        let hosts = seen.map { StatusReport.HostEntry(host: $0.plan.host.name, reachable: $0.error == nil, error: $0.error?.message,
                                                            destination: $0.plan.host.local ? nil : $0.plan.host.destination) }
        var tiers: [StatusReport.TierEntry] = []
        for tier in Tier.allCases {
            let instances = seen.flatMap { StatusJudge(seen: $0, topology: t).instances(of: tier) }
            if !instances.isEmpty { tiers.append(StatusReport.TierEntry(tier: tier, state: StatusReport.tierState(instances), instances: instances)) }
        }
        let (state, code) = StatusReport.verdict(tiers: tiers, hosts: hosts)
        var report = StatusReport(stack: manifest.name, state: state, exitCode: code, seconds: start.duration(to: clock.now).inSeconds,
                                  hosts: hosts, tiers: tiers)
        report.destination = manifest.destination
        report.paused = seen.lazy.compactMap { $0.facts?.lockLine.flatMap(LockHolder.parse) }.first { $0.paused != nil }
        report.canary = report.paused?.paused.flatMap { CanaryTraffic.count($0, served: seen.compactMap { $0.facts?.served }, topology: t) }
        report.maintenance = seen.lazy.compactMap { $0.facts?.maintenance }.first
        if manifest.front.tls?.acme != nil {
            report.certificates = seen.flatMap { s in s.facts?.acme.map { ManagedCertificate.entries(host: s.plan.host.name, $0) } ?? [] }
        }
        return report
    }
}
