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
enum ConvergePolicy {
    /// What follows a tier's gate.
    enum Next: Sendable, Equatable {
        /// Healthy: the next tier goes ahead.
        case proceed
        /// These pools stay unhealthy but nothing of theirs changed: the tiers above go ahead,
        /// their probes through those pools left out.
        case proceedWithout(Set<String>)
        /// Nothing above moves; staged files are removed.
        case stop
    }

    static func after(_ tier: Tier, _ verdict: GateVerdict, changedPools: Set<String>, interrupted: Bool) -> Next {
        if verdict.ok { return .proceed }
        let pools = verdict.failedPools
        guard tier == .workers, verdict.reachable, !pools.isEmpty, pools.isDisjoint(with: changedPools), !interrupted else { return .stop }
        return .proceedWithout(pools)
    }

    /// Nothing to start or change on any host: every tier is checked at once (from the answers
    /// the inspect asked ahead, else in one round trip per host).
    static func idle(_ inspected: [Inspected]) -> Bool {
        inspected.allSatisfy { i in
            Tier.allCases.allSatisfy { Activation.actions(tier: $0, plan: i.plan, changes: i.changes, state: i.state).isEmpty }
        }
    }

    /// Pools this run changes: a file of theirs on some host, or a release linked on a host that
    /// had none (`linked`: host to pool to release, as the run recorded them).
    static func changedPools(_ inspected: [Inspected], linked: [String: [String: String]]) -> Set<String> {
        var pools = Set(inspected.flatMap { $0.changes.files.compactMap { $0.role.tier == .workers ? $0.role.pool : nil } })
        for i in inspected {
            for (pool, _) in linked[i.hostName] ?? [:] where i.state.releases[pool] == nil { pools.insert(pool) }
        }
        return pools
    }
}
