/// How `up` brings the tiers up, and repairs what runs but fails, even with nothing changed.
///
/// Tier by tier, bottom-up: activate (start what is not running, restart workers whose files
/// changed, reload servers whose config changed), then gate. The gate restarts once any
/// instance that this run did not touch and that fails its probe (a server only when it gives
/// no HTTP answer), and stops waiting on an instance as soon as its program has exited.
///
/// Which tiers go ahead when a pool stays unhealthy: when nothing of that pool changed in this
/// run (no file of its, no release), the middle and front still get their own repairs and
/// changes, because the pool was broken before and nothing they do can make it worse; their
/// probes that pass through that pool are left out. When the pool did change, nothing above it
/// moves: a config that routes to a pool that does not come up never goes live.
extension Deployer {
    func bringUp(_ inspected: [Inspected], changedPools: Set<String>, _ report: inout DeployReport) async {
        let idle = inspected.allSatisfy { i in
            Tier.allCases.allSatisfy { Activation.actions(tier: $0, plan: i.plan, changes: i.changes, state: i.state).isEmpty }
        }
        if idle {
            // Nothing to start or change: every tier is checked at once, from the answers the
            // inspect asked ahead, else in one round trip per host.
            let ahead = answered(Tier.allCases, inspected, \.answers)
            let outcomes = if let ahead { ahead } else { await timedPhase(&report) { await probe(Tier.allCases, inspected, GatePolicy(quick: true)) } }
            if outcomes.allSatisfy({ (try? $0.result.get())?.results.allSatisfy(\.healthy) ?? false }) {
                _ = await record(Tier.allCases, outcomes, &report)
                return
            }
        }
        var done: [Tier] = [], fresh: [String: Set<String>] = [:], broken: Set<String> = []
        for tier in Tier.allCases {
            let hosts = inspected.filter { $0.plan.tiers.contains(tier) }
            guard !hosts.isEmpty else { continue }
            if stopRequested(&report, done.isEmpty ? "before activating (nothing went live)" : "after \(done.map(\.rawValue).joined(separator: " and ")) went live and passed") {
                await removeStaged(inspected, &report)
                return
            }
            var answers: [String: [UInt8]] = [:]
            guard let touched = await activate(tier, hosts, &report, answers: &answers) else {
                await removeStaged(inspected, &report)
                return
            }
            fresh.merge(touched) { $0.union($1) }
            let verdict = await gate([tier], hosts, &report, GatePolicy(fresh: fresh, broken: broken), answered: answers)
            if verdict.ok {
                done.append(tier)
                continue
            }
            let pools = verdict.failedPools
            guard tier == .workers, verdict.reachable, !pools.isEmpty, pools.isDisjoint(with: changedPools), interruption() == nil else {
                // What the tiers above would have taken stays where it was: staged files go.
                await removeStaged(inspected, &report)
                return
            }
            broken = pools
            emit(.info, nil, "pool\(pools.count == 1 ? "" : "s") \(pools.sorted().joined(separator: ", ")) still unhealthy; nothing of \(pools.count == 1 ? "it" : "theirs") changed in this run, so the middle and front go ahead")
        }
    }

    /// Pools this run changes: a file of theirs on some host, or a release linked for the first time.
    func changedPools(_ inspected: [Inspected], _ report: DeployReport) -> Set<String> {
        var pools = Set(inspected.flatMap { $0.changes.files.compactMap { $0.role.tier == .workers ? $0.role.pool : nil } })
        for i in inspected {
            for (pool, _) in report.hosts.first(where: { $0.host == i.hostName })?.releases ?? [:] where i.state.releases[pool] == nil { pools.insert(pool) }
        }
        return pools
    }
}
