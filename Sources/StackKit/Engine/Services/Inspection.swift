/// The first step of `up`, `plan`, `rollout` and `restart`: read every host's state, taking the
/// run's lock in the same script, and stop before anything changes when a host cannot be read
/// or is not ready (`Readiness`).
struct Inspection<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// Every host of the run, read; nil when the run must stop (its failure recorded). With
    /// `probing`, each host also asks its probes of every tier when all its programs run.
    func inspect(probing: Bool = false) async -> [Inspected]? {
        let plans = run.plans
        run.emit(.step, nil, "inspecting \(plans.count) host\(plans.count == 1 ? "" : "s")")
        let t = run.topology
        guard let judged = await LockService(run: run).firstScript(plans, { plan, lock in
            Scripts.inspect(plan, lock: lock, probes: probing ? HealthGate<C>.probes(Tier.allCases, plan, t).map(\.exchange) : [])
        }) else { return nil }
        let inspected = judged.done.map {
            Inspected(plan: $0.item, state: $0.reply.state, changes: HostChanges(plan: $0.item, state: $0.reply.state), answers: $0.reply.probes)
        }
        for i in inspected { run.emit(.done, i.hostName, i.changes.isEmpty ? "in sync" : "\(i.changes.files.count) file(s) to update") }
        guard judged.ok else {
            // A host that cannot even be read stops the run before anything changes.
            for host in judged.failedHosts { run.recorder.update(host) { $0.reachable = false } }
            run.recorder.fail(.unreachable, "unreachable: \(judged.failedHosts.joined(separator: ", ")); nothing was changed")
            return nil
        }
        return Readiness(run: run).ready(inspected) ? inspected : nil
    }
}
