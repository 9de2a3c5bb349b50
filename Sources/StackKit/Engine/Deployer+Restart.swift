/// `restart`: the programs a manifest runs, restarted in place without a new release, a batch of
/// hosts at a time. A pool's batch is drained from the middle first, restarted, health-gated and
/// put back, so no request is dropped; a server's batch is restarted and gated. A batch that
/// fails its gate stops the restart; a drained one stays out of the middle's rotation (the rest
/// keep serving) until `up` puts it back.
extension Deployer {
    /// Every pool (manifest order), then the middle, then the front, when `what` is nil.
    public func restart(_ what: ProgramScope?, batch: BatchSize = .one, hosts only: [String]? = nil) async -> DeployReport {
        let start = clock.now
        let plans = plans()
        var report = DeployReport(stack: manifest.name, command: "restart", hosts: plans.map(\.host.name))
        let targets = what.map { [$0] } ?? manifest.pools.map { .pool($0.name) } + [.middle, .front]
        if let inspected = await inspect(plans, &report), !stopRequested(&report, "before restarting anything") {
            for target in targets {
                guard await restart(target, batch: batch, only: only, inspected, &report) else { break }
            }
        }
        report.seconds = seconds(since: start)
        return report
    }

    func restart(_ target: ProgramScope, batch: BatchSize, only: [String]?, _ inspected: [Inspected], _ report: inout DeployReport) async -> Bool {
        let tier = target.tier, pool = target.pool.flatMap(manifest.pool(named:))
        let all = inspected.filter { i in pool.map { $0.hosts.contains(i.hostName) } ?? i.plan.tiers.contains(tier) }
        let hosts = all.filter { only?.contains($0.hostName) ?? true }
        guard !hosts.isEmpty else { return true }
        // A pool keeps a host serving while another is drained; so does a tier on several hosts.
        let drain = pool != nil && all.count > 1
        if all.count == 1 { emit(.info, nil, "\(target.label) runs on one host: requests may fail while it restarts") }
        var done: [String] = []
        for group in batches(hosts, batch: batch, of: all.count) {
            defer { done += group.map(\.hostName) }
            if stopRequested(&report, done.isEmpty ? "before \(target.label) restarted on any host" : "after \(target.label) restarted on \(done.joined(separator: ", "))") {
                return false
            }
            guard await restartBatch(target, tier, pool, group, drain: drain, &report) else { return false }
        }
        return true
    }

    func restartBatch(_ target: ProgramScope, _ tier: Tier, _ pool: Pool?, _ group: [Inspected], drain: Bool, _ report: inout DeployReport) async -> Bool {
        let names = group.map(\.hostName)
        if drain, let pool { guard await self.drain(pool, group, &report) else { return false } }
        emit(.step, nil, "\(target.label): restarting on \(names.joined(separator: ", "))")
        let programs = { @Sendable (i: Inspected) in i.plan.programs(of: tier).filter { pool == nil || $0.pool == pool!.name }.map { ServiceControl.name($0, i.plan) } }
        let judged = await phase(group, &report) { Scripts.activate([.restart(programs($0))], $0.plan, HostChanges(files: [])) }
        for (i, _) in judged.done {
            report.update(i.hostName) { $0.restarted += programs(i) }
            emit(.done, i.hostName, "restarted \(programs(i).joined(separator: ", "))")
        }
        if !judged.ok { report.fail(judged.failureStatus, "\(target.label) could not be restarted on \(judged.failedHosts.joined(separator: ", "))") }
        let restarted = judged.done.map(\.item)
        let healthy = await gate([tier], restarted, &report, GatePolicy(pool: pool?.name)).ok
        guard judged.ok && healthy else {
            // Stopped by a signal: the batch goes back into service, as a stop always leaves it.
            if drain, interruption() != nil {
                _ = await putBack(pool!, group, &report)
            } else if drain { emit(.info, nil, "\(names.joined(separator: ", ")) stay\(names.count == 1 ? "s" : "") drained: the others keep serving; `stackctl up` puts \(names.count == 1 ? "it" : "them") back once healthy") }
            return false
        }
        return drain ? await putBack(pool!, group, &report) : true
    }
}
