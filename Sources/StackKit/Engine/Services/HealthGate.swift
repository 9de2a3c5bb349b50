/// The health gate: each host's probes of a tier asked (or the answers its own script got
/// judged), failing instances repaired once (`GateChecker`), waited for until healthy, out of
/// time or exited, and what was found recorded and said, with status's why for the first failure.
struct HealthGate<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// Health-checks tiers on every host that runs them; the next tier starts only if all are
    /// healthy. The wait ends early once every failing instance's program has exited.
    ///
    /// `answered`: per host, the answers its activation script got to these tiers' probes. A
    /// host whose answers are all healthy is not asked again; the others are.
    func gate(_ tiers: [Tier], _ hosts: [Inspected], _ policy: GatePolicy = GatePolicy(),
              answered answers: [String: [UInt8]] = [:]) async -> GateVerdict {
        var policy = policy
        let interruption = run.interruption
        policy.stop = { interruption() != nil }
        var settled: [String: HostOutcome<Inspected, HostGate>] = [:]
        for i in hosts {
            guard let outcome = answered(tiers, [i], pool: policy.pool, { answers[$0.hostName] })?.first,
                  (try? outcome.result.get())?.results.allSatisfy(\.healthy) == true else { continue }
            settled[i.hostName] = outcome
        }
        let rest = hosts.filter { settled[$0.hostName] == nil }
        let probed = rest.isEmpty ? [] : await run.recorder.timed { await probe(tiers, rest, policy) }
        // By host name: a fleet of thousands is looked up, never searched.
        var byHost: [String: HostOutcome<Inspected, HostGate>] = [:]
        for o in await slowAskedAgain(hosts.compactMap { settled[$0.hostName] }) + probed where byHost[o.host] == nil { byHost[o.host] = o }
        return await record(tiers, hosts.compactMap { byHost[$0.hostName] })
    }

    /// Hosts whose own scripts' answers were slow, asked those probes once more (`Prober`'s
    /// `slowAskedAgain`: the faster healthy answer stands); the probes a gate asked itself were.
    func slowAskedAgain(_ outcomes: [HostOutcome<Inspected, HostGate>]) async -> [HostOutcome<Inspected, HostGate>] {
        let slow = outcomes.filter { (try? $0.result.get())?.results.contains(where: \.isSlow) == true }
        guard !slow.isEmpty else { return outcomes }
        let prober = Prober(clock: run.clock, python: run.platform.python)
        let gates = Dictionary(slow.compactMap { o in (try? o.result.get()).map { (o.host, $0) } }, uniquingKeysWith: { a, _ in a })
        let again = await run.runner.run(slow.map(\.item), phase: "gate") { i, transport -> Result<HostGate, HostFailure> in
            guard var gate = gates[i.hostName] else { return .success(HostGate()) }
            gate.results = await prober.slowAskedAgain(gate.results, over: transport)
            return .success(gate)
        }
        let asked = Dictionary(again.compactMap { a in (try? a.result.get()).map { (a.host, $0) } }, uniquingKeysWith: { a, _ in a })
        return outcomes.map { o in
            guard gates[o.host] != nil, let gate = asked[o.host] else { return o }
            return HostOutcome(item: o.item, host: o.host, result: .success(gate), phase: o.phase, seconds: o.seconds)
        }
    }

    /// Every host's gate, run in parallel; nothing recorded yet.
    func probe(_ tiers: [Tier], _ hosts: [Inspected], _ policy: GatePolicy) async -> [HostOutcome<Inspected, HostGate>] {
        let t = run.topology, recorder = run.recorder
        let prober = Prober(clock: run.clock, python: run.platform.python)
        return await run.runner.run(hosts, phase: "gate") { i, transport -> Result<HostGate, HostFailure> in
            let probes = Self.probes(tiers, i.plan, t).filter { policy.pool == nil || $0.pool == policy.pool }
            let checker = GateChecker(plan: i.plan, prober: prober, transport: transport, effects: Self.effects(i.plan, transport, recorder))
            do throws(TransportError) {
                return .success(try await checker.run(probes, policy))
            } catch {
                return .failure(.transport(error))
            }
        }
    }

    /// A gate's work on one host besides probing, on that host's connection: a repair's restart
    /// that fails is recorded on the host and said, not the run's failure (its gate decides).
    static func effects(_ plan: HostPlan, _ transport: any Transport, _ recorder: Recorder) -> GateEffects {
        GateEffects(restart: { names in
            let script = Scripts.activate([.restart(names)], plan, HostChanges(files: []))
            if case .failure(let failure) = await HostRunner.execute(script, on: transport) {
                recorder.hostFailed(plan.host.name, failure, saying: "could not restart to repair: \(failure.message)")
            }
        }, states: {
            try? await HostRunner.execute(Scripts.processStates(plan), on: transport).get()
        })
    }

    /// How long a script that just started or restarted programs asks their probes again while
    /// nothing listens yet (a worker binds once its app is loaded), before the gate takes over.
    static var listenWait: Double { 3 }

    /// The probes of `tiers` that a host runs, in tier order.
    static func probes(_ tiers: [Tier], _ plan: HostPlan, _ t: Topology) -> [Probe] {
        tiers.filter(plan.tiers.contains).flatMap { Probes.of($0, t, host: plan.host.name) }
    }

    /// The probes of `tiers` (of `pool` only, if given) judged from answers a host script asked
    /// itself (`answers` per host); nil when a host has none (the inspect found a program of its
    /// not running) or they do not read back.
    func answered(_ tiers: [Tier], _ inspected: [Inspected], pool: String? = nil,
                  _ answers: (Inspected) -> [UInt8]?) -> [HostOutcome<Inspected, HostGate>]? {
        let t = run.topology
        var outcomes: [HostOutcome<Inspected, HostGate>] = []
        for i in inspected {
            let probes = Self.probes(tiers, i.plan, t).filter { pool == nil || $0.pool == pool }
            guard let bytes = answers(i), let answers = Relay.decode(bytes, count: probes.count) else { return nil }
            let gate = HostGate(results: zip(probes, answers).map { $0.evaluate($1) })
            outcomes.append(HostOutcome(item: i, host: i.hostName, result: .success(gate)))
        }
        return outcomes
    }

    /// Records what the gates found on the report and says it; the first failure (lowest tier
    /// first) carries status's why.
    func record(_ tiers: [Tier], _ outcomes: [HostOutcome<Inspected, HostGate>]) async -> GateVerdict {
        let judged = run.recorder.judge(outcomes)
        var tierReports = tiers.map { DeployReport.TierReport(tier: $0, healthy: true, probes: []) }
        var verdict = GateVerdict(ok: judged.ok, reachable: judged.ok)
        var bad: [(item: Inspected, result: ProbeResult, results: [ProbeResult])] = []
        var firstBad = judged.failed.first.map { "\($0.item.hostName): could not be probed: \($0.failure.message)" }
        if !judged.ok { for k in tierReports.indices { tierReports[k].healthy = false } }
        for (i, gate) in judged.done {
            let host = i.hostName
            for r in gate.repaired {
                run.recorder.update(host) { $0.repaired.append("\(r.program): \(r.why)"); $0.restarted.append(r.program) }
                run.emit(.info, host, "restarted \(r.program) once: \(r.why)")
            }
            for p in gate.skipped { run.emit(.info, host, "\(p.label) not judged: pool \(p.through ?? "") behind it is unhealthy") }
            for r in gate.results {
                let k = tiers.firstIndex(of: r.probe.tier)!
                tierReports[k].probes.append(.init(host: host, target: r.probe.label, healthy: r.healthy, status: r.status,
                    latencyMs: r.milliseconds, answer: r.answer, stderr: r.stderr))
                if let first = r.heldUp {
                    run.emit(.info, host, "\(r.probe.label) answered in \(first) ms, then in \(r.milliseconds) ms when asked again")
                }
                if r.isSlow {
                    run.recorder.update(host) { $0.slow.append("\(r.probe.label) \(r.slowness)") }
                    run.recorder.degrade("\(host): \(r.probe.label) is slow: \(r.slowness)")
                    run.emit(.info, host, "slow: \(r.probe.label) \(r.slowness)")
                }
                if r.healthy, let certificate = r.certificate {
                    if let problem = certificate.problem(now: run.now()) {
                        if problem.degraded { run.recorder.degrade("\(host): \(r.probe.label): \(problem.text)") }
                        run.emit(.info, host, "\(r.probe.label): \(problem.text)")
                    } else {
                        run.emit(.info, host, "\(r.probe.label): its certificate is valid for \(certificate.daysLeft(now: run.now())) more days")
                    }
                }
                guard !r.healthy else { continue }
                tierReports[k].healthy = false
                verdict.ok = false
                if let pool = r.probe.pool { verdict.failedPools.insert(pool) }
                bad.append((i, r, gate.results))
                run.emit(.failed, host, "\(r.probe.label): \(r.answerWithStderr)")
            }
            if !gate.results.isEmpty && gate.results.allSatisfy(\.healthy) {
                let ms = gate.results.map(\.milliseconds).max() ?? 0
                let what = Set(gate.results.map(\.probe.tier)).count == 1 ? gate.results[0].probe.tier.rawValue : "all tiers"
                run.emit(.done, host, "\(what) healthy (\(gate.results.count) probe\(gate.results.count == 1 ? "" : "s"), slowest \(ms) ms)")
            }
        }
        let kept = tierReports.filter { !$0.probes.isEmpty || !$0.healthy }
        run.recorder.edit { $0.tiers += kept }
        if firstBad == nil, let (i, r, results) = bad.min(by: { $0.result.probe.tier < $1.result.probe.tier }) {
            firstBad = "\(i.hostName): \(r.probe.tier.rawValue) unhealthy: \(r.probe.label): \(await why(r, on: i, results))"
        }
        // A signal cut the wait short: the run stops here, saying what the gate had seen.
        if let firstBad, !run.stopRequested("during the \(tiers.map(\.rawValue).joined(separator: " and ")) health check (\(firstBad))") {
            run.recorder.fail(.unhealthy, firstBad)
        }
        return verdict
    }

    /// Why a probe failed, as `status` would say it (the program's state, the process manager's
    /// own words, the error log): the host's status facts, read in one round trip, judged by
    /// status's own judge with the gate's last answers. The probe's answer when status finds
    /// nothing more, or the facts cannot be read.
    func why(_ r: ProbeResult, on i: Inspected, _ results: [ProbeResult]) async -> String {
        let read = await run.runner.run([i]) { Scripts.status($0.plan) }
        guard let facts = try? read.first?.result.get() else { return r.answerWithStderr }
        let seen = StatusChecker<C>.Seen(plan: i.plan, facts: facts, probes: results)
        let name = r.probe.tier == .workers ? "\(r.probe.pool ?? "")/\(r.probe.instance ?? 0)" : nil
        let instance = StatusJudge(seen: seen, topology: run.topology, now: run.now()).instances(of: r.probe.tier)
            .first { name == nil || $0.name == name }
        guard let why = instance?.why, instance?.healthy == false else { return r.answerWithStderr }
        return why
    }
}
