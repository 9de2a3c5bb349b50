/// The first step of `up`, `plan`, `rollout` and `restart`: read every host's state, taking the
/// run's lock in the same script, and stop before anything changes when a host cannot be read
/// or is not ready (`Readiness`).
struct Inspection<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// Every host of the run, read; nil when the run must stop (its failure recorded). With
    /// `probing`, each host also asks its probes of every tier when all its programs run. With
    /// `releasing` (each sourced pool's release for the run, by pool), a host that finds itself
    /// in sync, running those releases, lets the run's lock go again (`retake`).
    func inspect(probing: Bool = false, releasing: [String: String]? = nil) async -> [Inspected]? {
        let plans = run.plans
        run.emit(.step, nil, "inspecting \(plans.count) host\(plans.count == 1 ? "" : "s")")
        guard let judged = await LockService(run: run).firstScript(plans, script(probing: probing, releasing: releasing)) else { return nil }
        let inspected = judged.done.map(Self.inspected)
        for i in inspected { run.emit(.done, i.hostName, i.changes.isEmpty ? "in sync" : "\(i.changes.files.count) file(s) to update") }
        // A host that cannot even be read stops the run before anything changes.
        guard reachable(judged.failedHosts) else { return nil }
        return Readiness(run: run).ready(inspected) ? inspected : nil
    }

    /// The hosts that let the lock go, taken again before the run changes anything: their
    /// files and directories are read again under the lock, and a host where they changed in
    /// between (another run's work) is read again whole. Nil when the run must stop.
    func retake(_ inspected: [Inspected], probing: Bool = false) async -> [Inspected]? {
        let released = inspected.filter(\.released)
        guard !released.isEmpty else { return inspected }
        run.emit(.step, nil, "taking the lock again on \(released.count) host\(released.count == 1 ? "" : "s") in sync")
        guard let taken = await LockService(run: run).retake(released.map(\.plan), { Scripts.retake($0, $1) }),
              reachable(taken.failedHosts) else { return nil }
        let first = Dictionary(uniqueKeysWithValues: released.map { ($0.hostName, $0) })
        let moved = taken.done.filter { plan, reply in
            let was = first[plan.host.name]?.state
            return reply.state.files != was?.files || reply.state.directories != was?.directories
                || reply.state.releases != was?.releases
        }.map(\.item)
        var again: [String: Inspected] = [:]
        for (plan, _) in taken.done { again[plan.host.name] = first[plan.host.name].map { var i = $0; i.released = false; return i } }
        if !moved.isEmpty {
            run.emit(.info, nil, "\(moved.names) changed since the inspect: reading \(moved.count == 1 ? "it" : "them") again")
            let inspect = script(probing: probing, releasing: nil)
            let judged = await run.phase(moved) { inspect($0, nil) }
            guard reachable(judged.failedHosts) else { return nil }
            for done in judged.done { again[done.item.host.name] = Self.inspected(done) }
        }
        let read = inspected.map { again[$0.hostName] ?? $0 }
        return Readiness(run: run).ready(read) ? read : nil
    }

    /// False, with the run's failure recorded, when a host could not be read.
    private func reachable(_ failed: [String]) -> Bool {
        guard !failed.isEmpty else { return true }
        for host in failed { run.recorder.update(host) { $0.reachable = false } }
        run.recorder.fail(.unreachable, "unreachable: \(failed.joined(separator: ", ")); nothing was changed")
        return false
    }

    private func script(probing: Bool, releasing: [String: String]?) -> @Sendable (HostPlan, LockRequest?) -> HostScript<InspectReply> {
        let t = run.topology
        return { plan, lock in
            Scripts.inspect(plan, lock: lock, probes: probing ? HealthGate<C>.probes(Tier.allCases, plan, t).map(\.exchange) : [],
                            releasing: releasing != nil, releases: releasing ?? [:])
        }
    }

    private static func inspected(_ done: (item: HostPlan, reply: InspectReply)) -> Inspected {
        Inspected(plan: done.item, state: done.reply.state, changes: HostChanges(plan: done.item, state: done.reply.state),
                  answers: done.reply.probes, released: done.reply.lock.released)
    }
}
