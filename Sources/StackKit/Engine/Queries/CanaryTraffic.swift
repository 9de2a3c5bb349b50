/// While a rollout is paused: how many requests the middle sent each host of its pool since the
/// pause, the canary hosts (on the new release) beside the others. From every middle host's
/// counts (`HostStatusFacts.served`), added up.
public struct CanaryTraffic: Sendable, Codable, Equatable {
    public struct Host: Sendable, Codable, Equatable {
        public var host: String
        public var canary: Bool
        public var requests: Int
    }

    public var pool: String
    public var release: String
    public var hosts: [Host]

    public var total: Int { hosts.reduce(0) { $0 + $1.requests } }

    /// Nil without a middle tier (Apache balances the workers itself and counts nothing).
    public static func count(_ paused: PausedRollout, served: [[String: Int]], topology t: Topology) -> CanaryTraffic? {
        guard !t.manifest.middle.byFront, let pool = t.manifest.pool(named: paused.pool) else { return nil }
        let lighttpd = t.manifest.middle.server == .lighttpd
        var requests: [String: Int] = [:]
        for w in t.workers(of: pool) {
            let key = lighttpd ? w.backendName : w.upstreamAddress
            requests[w.host, default: 0] += served.reduce(0) { $0 + ($1[key] ?? 0) }
        }
        let hosts = pool.hosts.map { Host(host: $0, canary: paused.moved.contains($0), requests: requests[$0] ?? 0) }
        return CanaryTraffic(pool: pool.name, release: paused.release, hosts: hosts)
    }

    /// `app1 (canary) 31 of 120 (26%), app2 45, app3 44`.
    public var summary: String {
        let total = total
        return hosts.map { h in
            let share = total == 0 ? "" : " (\(h.requests * 100 / total)%)"
            return h.canary ? "\(h.host) (canary) \(h.requests) of \(total)\(share)" : "\(h.host) \(h.requests)"
        }.joined(separator: ", ")
    }
}
