/// `restart`: the programs a manifest runs, restarted in place without a new release, a batch of
/// hosts at a time (`RollingPlan.restart`). A pool's batch is drained from the middle first,
/// restarted, health-gated and put back, so no request is dropped; a server's batch is restarted
/// and gated. A batch that fails its gate stops the restart; a drained one stays out of the
/// middle's rotation (the rest keep serving) until `up` puts it back.
struct RestartProcedure<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>
    /// Every pool (manifest order), then the middle, then the front, when nil.
    let what: ProgramScope?
    let batch: BatchSize
    let only: [String]?

    func run() async -> DeployReport {
        let targets = what.map { [$0] } ?? run.manifest.pools.map { .pool($0.name) } + [.middle, .front]
        guard let inspected = await Inspection(run: run).inspect(), !run.stopRequested("before restarting anything") else { return run.finish() }
        for target in targets {
            guard await restart(target, inspected) else { break }
        }
        return run.finish()
    }

    func restart(_ target: ProgramScope, _ inspected: [Inspected]) async -> Bool {
        let tier = target.tier, pool = target.pool.flatMap(run.manifest.pool(named:))
        let all = inspected.filter { i in pool.map { $0.hosts.contains(i.hostName) } ?? i.plan.tiers.contains(tier) }
        let hosts = all.filter { only?.contains($0.hostName) ?? true }
        guard !hosts.isEmpty else { return true }
        if all.count == 1 { run.emit(.info, nil, "\(target.label) runs on one host: requests may fail while it restarts") }
        let plan = RollingPlan.restart(tier, pool: pool?.name, hosts: hosts.map(\.hostName), batch: batch, of: all.count)
        var done: [String] = []
        for batch in plan.batches {
            let point = done.isEmpty ? "before \(target.label) restarted on any host" : "after \(target.label) restarted on \(done.joined(separator: ", "))"
            guard !run.stopRequested(point) else { return false }
            guard await restartBatch(target, pool, batch, hosts.filter { batch.hosts.contains($0.hostName) }) else { return false }
            done += batch.hosts
        }
        return true
    }

    func restartBatch(_ target: ProgramScope, _ pool: Pool?, _ batch: RollingPlan.Batch, _ group: [Inspected]) async -> Bool {
        let rotation = Rotation(run: run), tier = batch.gate
        if batch.drain, let pool { guard await rotation.drain(pool, group) else { return false } }
        run.emit(.step, nil, "\(target.label): restarting on \(group.names)")
        let programs = { @Sendable (i: Inspected) in
            i.plan.programs(of: tier).filter { pool == nil || $0.pool == pool!.name }.map { ServiceControl.name($0, i.plan) }
        }
        let judged = await run.phase(group, failing: { "\(target.label) could not be restarted on \($0)" }) {
            Scripts.activate([.restart(programs($0))], $0.plan, HostChanges(files: []))
        }
        for (i, _) in judged.done {
            run.recorder.update(i.hostName) { $0.restarted += programs(i) }
            run.emit(.done, i.hostName, "restarted \(programs(i).joined(separator: ", "))")
        }
        let healthy = await HealthGate(run: run).gate([tier], judged.done.map(\.item), GatePolicy(pool: pool?.name)).ok
        guard judged.ok && healthy else {
            let names = batch.hosts
            // Stopped by a signal: the batch goes back into service, as a stop always leaves it.
            if batch.drain, run.interruption() != nil {
                _ = await rotation.putBack(pool!, group)
            } else if batch.drain {
                run.emit(.info, nil, "\(names.joined(separator: ", ")) stay\(names.count == 1 ? "s" : "") drained: the others keep serving; "
                    + "`stackctl up` puts \(names.count == 1 ? "it" : "them") back once healthy")
            }
            return false
        }
        return batch.putBack ? await rotation.putBack(pool!, group) : true
    }
}
