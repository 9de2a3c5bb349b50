import Synchronization

/// One host's gate: probe, restart once what failed without having just been started, and
/// wait for the rest until healthy, out of time, or every failing program has exited. What it
/// does on the host besides probing comes from the health gate (`GateEffects`), which runs it
/// through the run's recorder.
struct GateChecker<C: Clock>: Sendable where C.Duration == Duration {
    let plan: HostPlan
    let prober: Prober<C>
    let transport: any Transport
    let effects: GateEffects

    func run(_ probes: [Probe], _ policy: GatePolicy) async throws(TransportError) -> HostGate {
        var gate = HostGate()
        gate.skipped = probes.filter { $0.through.map(policy.broken.contains) ?? false }
        let live = probes.filter { p in !gate.skipped.contains(p) }
        guard let fresh = policy.fresh.map({ $0[plan.host.name] ?? [] }) else {
            gate.results = try await prober.check(live, over: transport, retrying: !policy.quick, giveUp: giveUp(policy), stop: policy.stop)
            return gate
        }
        var results = try await prober.check(live, over: transport, retrying: false, stop: policy.stop)
        let failing = results.indices.filter { !results[$0].healthy }
        // Stopped by a signal: nothing is repaired or waited for.
        guard !failing.isEmpty, policy.stop?() != true else {
            gate.results = results
            return gate
        }
        let decision = GateDecision(results, fresh: fresh, program: program(of:))
        gate.repaired = decision.repairs
        if !decision.restart.isEmpty { await effects.restart(decision.restart) }
        let again = try await prober.check(decision.wait.map { results[$0].probe }, over: transport, giveUp: giveUp(policy), stop: policy.stop)
        for (k, r) in zip(decision.wait, again) { results[k] = r }
        gate.results = results
        return gate
    }

    /// The program (supervisord name or systemd unit) behind a probe.
    func program(of probe: Probe) -> String? {
        let p = probe.tier == .workers
            ? plan.programs.first { $0.pool == probe.pool && $0.instance == probe.instance }
            : plan.programs(of: probe.tier).first
        return p.map { ServiceControl.name($0, plan) }
    }

    /// True once every failing probe's program has been seen exited twice in a row (a restart
    /// passes through a stopped state for an instant), or when the run is asked to stop.
    func giveUp(_ policy: GatePolicy) -> @Sendable ([Probe]) async -> Bool {
        let strikes = Mutex<Set<String>>([])
        let effects = effects
        let names = { @Sendable (probes: [Probe]) in probes.map { self.program(of: $0) } }
        return { pending in
            if policy.stop?() == true { return true }
            let wanted = names(pending)
            guard !wanted.contains(nil), let facts = await effects.states() else { return false }
            let exited = Set(wanted.compactMap { $0 }.filter { facts.processes[$0]?.state.hasExited ?? false })
            return strikes.withLock { seen in
                defer { seen = exited }
                return !exited.isEmpty && exited.count == Set(wanted.compactMap { $0 }).count && exited.isSubset(of: seen)
            }
        }
    }
}

/// What a host's gate does on its host besides probing: restart programs to repair them, and
/// read its programs' states while it waits.
struct GateEffects: Sendable {
    /// Restarts these programs; a failure is recorded on the host and said.
    var restart: @Sendable ([String]) async -> Void
    /// The host's programs' states; nil when they could not be read.
    var states: @Sendable () async -> HostStatusFacts?
}
