/// `stackctl status`: every instance of every tier, for people and (as JSON) for scripts.
public struct StatusReport: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable { case healthy, degraded, down, unreachable }

    public struct Process: Sendable, Codable, Equatable {
        public var state: String
        public var pid: Int?
        public var uptimeSeconds: Int?
        enum CodingKeys: String, CodingKey { case state, pid, uptimeSeconds = "uptime_seconds" }
    }

    public struct Health: Sendable, Codable, Equatable {
        public var healthy: Bool
        public var status: Int?
        public var latencyMs: Int
        public var answer: String
        enum CodingKeys: String, CodingKey { case healthy, status, latencyMs = "latency_ms", answer }
    }

    public struct Instance: Sendable, Codable, Equatable {
        public var tier: Tier
        public var host: String
        /// `POOL/N` for a worker, the server's name for the middle and front.
        public var name: String
        public var listen: String
        public var process: Process?
        public var health: Health?
        /// `in sync`, `changed on host`, `missing`, or `unknown` for an unreachable host.
        public var drift: String
        public var driftFiles: [String]
        public var release: String?
        public var healthy: Bool
        /// Healthy, but answering slower than its threshold: the tier counts as degraded.
        public var slow = false
        /// Why it is unhealthy or slow, in one line.
        public var why: String?
        /// Days until the certificate a TLS front served expires (negative once it has).
        public var certificateDays: Int?
        /// When that certificate expires (seconds since 1970).
        public var certificateExpires: Double?
        /// Healthy, but its certificate has expired or is not for its server name: degraded.
        public var certificateBad = false
        /// Serving, but a data directory of its pool on its host is missing or its user cannot
        /// write in it (shown on the host's first instance of the pool): degraded.
        public var dataBad = false
        /// Serving, but a reload left it waiting for a restart (`PendingRestart`): degraded.
        public var restartPending = false
        enum CodingKeys: String, CodingKey {
            case tier, host, name, listen, process, health, drift, driftFiles = "drift_files", release, healthy, slow, why
            case certificateDays = "certificate_days", certificateExpires = "certificate_expires", certificateBad = "certificate_bad"
            case dataBad = "data_bad", restartPending = "restart_pending"
        }
    }

    public struct TierEntry: Sendable, Codable, Equatable {
        public var tier: Tier
        public var state: State
        public var instances: [Instance]
    }

    public struct HostEntry: Sendable, Codable, Equatable {
        public var host: String
        public var reachable: Bool
        public var error: String?
        /// What ssh is handed to reach it (nil for a local host).
        public var destination: String? = nil
    }

    public var stack: String
    /// The destination read (`-d NAME`), if any.
    public var destination: String? = nil
    public var state: State
    /// ok, degraded (some instance unhealthy, every tier still serving), unhealthy (a tier with
    /// no healthy instance), unreachable.
    public var exitCode: ExitStatus
    public var seconds: Double
    public var hosts: [HostEntry]
    public var tiers: [TierEntry]
    /// Maintenance mode, when a front host has it on (`stackctl maintenance on`).
    public var maintenance: MaintenanceState? = nil
    /// A paused rollout holding the lock (`rollout --pause`): its canary hosts, release, holder.
    public var paused: LockHolder? = nil
    /// While paused: the requests the middle sent each host of the pool since the pause.
    public var canary: CanaryTraffic? = nil
    /// With ACME at the front: each front host's managed domains, as its mod_md reports them.
    public var certificates: [ManagedCertificate]? = nil

    enum CodingKeys: String, CodingKey {
        case stack, destination, state, exitCode = "exit_code", seconds, hosts, tiers, maintenance, paused, canary, certificates
    }

    /// The overall verdict from the tiers and hosts.
    static func verdict(tiers: [TierEntry], hosts: [HostEntry]) -> (State, ExitStatus) {
        if hosts.contains(where: { !$0.reachable }) { return (.unreachable, .unreachable) }
        if tiers.contains(where: { $0.state == .down }) { return (.down, .unhealthy) }
        if tiers.contains(where: { $0.state == .degraded }) { return (.degraded, .degraded) }
        return (.healthy, .ok)
    }

    static func tierState(_ instances: [Instance]) -> State {
        let healthy = instances.filter(\.healthy).count
        if healthy == 0 { return .down }
        return healthy == instances.count && !instances.contains(where: { $0.slow || $0.certificateBad || $0.dataBad || $0.restartPending }) ? .healthy : .degraded
    }
}
