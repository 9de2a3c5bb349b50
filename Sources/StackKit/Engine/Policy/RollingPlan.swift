/// How a rolling command (rollout, rollback, restart) moves through hosts: its batches in
/// order, each with its hosts, whether it is drained from the middle first, which earlier batch
/// its drain puts back in the same reload, whether it is put back alone once healthy, and what
/// its gate checks. Decided before anything moves, and compared with `==` in the tests; a new
/// way to roll (a canary first, a list of batch sizes) is a new way to make this value.
public struct RollingPlan: Sendable, Equatable {
    public struct Batch: Sendable, Equatable {
        public var hosts: [String]
        /// Taken out of the middle's rotation before it moves (a pool on several hosts).
        public var drain: Bool
        /// The batch before, moved, healthy and still drained: this batch's drain puts it back.
        public var returning: [String] = []
        /// Put back alone once this batch is healthy (the last of a rollout; each of a restart).
        public var putBack: Bool
        /// The tier its gate checks (of `RollingPlan.pool` only, when there is one).
        public var gate: Tier
    }

    /// The pool whose workers move; nil for a server tier.
    public var pool: String?
    public var batches: [Batch]

    /// At most all but one of the `total` hosts that serve move at once (one keeps serving).
    static func chunks(_ hosts: [String], batch: BatchSize, of total: Int) -> [[String]] {
        var out: [[String]] = [], start = 0
        while start < hosts.count {
            let end = min(hosts.count, start + batch.size(of: total, batch: out.count))
            out.append(Array(hosts[start..<end]))
            start = end
        }
        return out
    }

    /// A rollout of `pool` on `moving` (of its `total` hosts): each batch's drain puts the batch
    /// before back in the same reload of the middle, and the last is put back alone. A pool on
    /// one host cannot be drained.
    public static func rollout(pool: String, moving: [String], batch: BatchSize, of total: Int) -> RollingPlan {
        let drain = total > 1
        var batches: [Batch] = []
        for hosts in chunks(moving, batch: batch, of: total) {
            batches.append(Batch(hosts: hosts, drain: drain, returning: drain ? batches.last?.hosts ?? [] : [], putBack: false, gate: .workers))
        }
        if drain, !batches.isEmpty { batches[batches.count - 1].putBack = true }
        return RollingPlan(pool: pool, batches: batches)
    }

    /// A restart of a tier's programs (of `pool`'s, for workers) on `hosts`, of the `total` that
    /// run them: a pool's batch is drained, restarted, gated and put back on its own; a server
    /// tier's batch is restarted and gated.
    public static func restart(_ tier: Tier, pool: String?, hosts: [String], batch: BatchSize, of total: Int) -> RollingPlan {
        let drain = pool != nil && total > 1
        let batches = chunks(hosts, batch: batch, of: total).map { Batch(hosts: $0, drain: drain, putBack: drain, gate: tier) }
        return RollingPlan(pool: pool, batches: batches)
    }
}
