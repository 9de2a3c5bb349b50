/// `restart`: the programs a manifest runs, restarted in place without a new release, a batch of
/// hosts at a time. A pool's batch is drained from the middle first, restarted, health-gated and
/// put back, so no request is dropped; a server's batch is restarted and gated. A batch that
/// fails its gate stops the restart; a drained one stays out of the middle's rotation (the rest
/// keep serving) until `up` puts it back.
extension Deployer {
    /// What `restart` restarts: a pool's workers, or a server tier.
    public enum RestartTarget: Sendable, Equatable {
        case pool(String)
        case middle
        case front

        /// A pool's name, or `middle` or `front`; nil when the manifest has no such thing.
        public static func named(_ name: String, in manifest: Manifest) -> RestartTarget? {
            if manifest.pool(named: name) != nil { return .pool(name) }
            return name == "middle" ? .middle : name == "front" ? .front : nil
        }

        var label: String {
            switch self {
            case .pool(let name): "pool \(name)"
            case .middle: "middle"
            case .front: "front"
            }
        }
    }

    /// Every pool (manifest order), then the middle, then the front, when `what` is nil.
    public func restart(_ what: RestartTarget?, batch: Int = 1, hosts only: [String]? = nil) async -> DeployReport {
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

    func restart(_ target: RestartTarget, batch: Int, only: [String]?, _ inspected: [Inspected], _ report: inout DeployReport) async -> Bool {
        let tier: Tier, pool: Pool?
        switch target {
        case .pool(let name): (tier, pool) = (.workers, manifest.pool(named: name))
        case .middle: (tier, pool) = (.middle, nil)
        case .front: (tier, pool) = (.front, nil)
        }
        let all = inspected.filter { i in pool.map { $0.hosts.contains(i.hostName) } ?? i.plan.tiers.contains(tier) }
        let hosts = all.filter { only?.contains($0.hostName) ?? true }
        guard !hosts.isEmpty else { return true }
        // A pool keeps a host serving while another is drained; so does a tier on several hosts.
        let drain = pool != nil && all.count > 1
        let size = max(1, min(batch, max(1, all.count - 1)))
        if all.count == 1 { emit(.info, nil, "\(target.label) runs on one host: requests may fail while it restarts") }
        for start in stride(from: 0, to: hosts.count, by: size) {
            let group = Array(hosts[start..<min(hosts.count, start + size)])
            let done = hosts[..<start].map(\.hostName)
            if stopRequested(&report, done.isEmpty ? "before \(target.label) restarted on any host" : "after \(target.label) restarted on \(done.joined(separator: ", "))") {
                return false
            }
            guard await restartBatch(target, tier, pool, group, drain: drain, &report) else { return false }
        }
        return true
    }

    func restartBatch(_ target: RestartTarget, _ tier: Tier, _ pool: Pool?, _ group: [Inspected], drain: Bool, _ report: inout DeployReport) async -> Bool {
        let names = group.map(\.hostName)
        if drain, let pool {
            emit(.step, nil, "\(pool.name): draining \(names.joined(separator: ", "))")
            guard await reloadMiddle(drained: Set(names.map { Topology.drainKey(pool: pool.name, host: $0) }), &report) else { return false }
            let waits = await phase(group, &report) { Scripts.waitDrained(pool, $0.plan, timeout: pool.drainTimeout) }
            for (i, reply) in waits.done where reply.stillOpen > 0 {
                emit(.info, i.hostName, "\(reply.stillOpen) in-flight request(s) still open after \(Int(pool.drainTimeout)) s; going on")
            }
        }
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
                emit(.step, nil, "\(pool!.name): putting \(names.joined(separator: ", ")) back")
                _ = await reloadMiddle(drained: [], &report)
            } else if drain { emit(.info, nil, "\(names.joined(separator: ", ")) stay\(names.count == 1 ? "s" : "") drained: the others keep serving; `stackctl up` puts \(names.count == 1 ? "it" : "them") back once healthy") }
            return false
        }
        if drain {
            emit(.step, nil, "\(pool!.name): putting \(names.joined(separator: ", ")) back")
            return await reloadMiddle(drained: [], &report)
        }
        return true
    }
}
