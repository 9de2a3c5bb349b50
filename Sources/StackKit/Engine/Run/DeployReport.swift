/// What a run did, per host and tier; printed for people or as JSON for scripts.
public struct DeployReport: Sendable, Codable, Equatable {
    public struct HostReport: Sendable, Codable, Equatable {
        public var host: String
        public var reachable = true
        public var uploaded: [String] = []
        public var validated: [String] = []
        public var started: [String] = []
        public var restarted: [String] = []
        public var reloaded: [String] = []
        public var stopped: [String] = []
        /// Pool to the release this run switched the host to.
        public var releases: [String: String] = [:]
        /// `PROGRAM: why`: instances restarted (or started) to repair them, nothing having changed.
        public var repaired: [String] = []
        /// `PROBE answered in N ms, over its M ms threshold`: healthy but slow.
        public var slow: [String] = []
        public var error: String?
        /// Seconds the host spent in each phase of the run (summed when a phase ran twice).
        public var timings: [String: Double] = [:]
        /// Nothing uploaded, started, restarted, reloaded or stopped.
        public var unchanged: Bool { uploaded.isEmpty && started.isEmpty && restarted.isEmpty && reloaded.isEmpty && stopped.isEmpty
            && releases.isEmpty && repaired.isEmpty }

        enum CodingKeys: String, CodingKey {
            case host, reachable, uploaded, validated, started, restarted, reloaded, stopped, releases, repaired, slow, error, unchanged, timings
        }

        public init(host: String) { self.host = host }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            host = try c.decode(String.self, forKey: .host)
            reachable = try c.decode(Bool.self, forKey: .reachable)
            uploaded = try c.decode([String].self, forKey: .uploaded)
            validated = try c.decode([String].self, forKey: .validated)
            started = try c.decode([String].self, forKey: .started)
            restarted = try c.decode([String].self, forKey: .restarted)
            reloaded = try c.decode([String].self, forKey: .reloaded)
            stopped = try c.decode([String].self, forKey: .stopped)
            releases = try c.decodeIfPresent([String: String].self, forKey: .releases) ?? [:]
            repaired = try c.decodeIfPresent([String].self, forKey: .repaired) ?? []
            slow = try c.decodeIfPresent([String].self, forKey: .slow) ?? []
            error = try c.decodeIfPresent(String.self, forKey: .error)
            timings = try c.decodeIfPresent([String: Double].self, forKey: .timings) ?? [:]
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(host, forKey: .host)
            try c.encode(reachable, forKey: .reachable)
            try c.encode(uploaded, forKey: .uploaded)
            try c.encode(validated, forKey: .validated)
            try c.encode(started, forKey: .started)
            try c.encode(restarted, forKey: .restarted)
            try c.encode(reloaded, forKey: .reloaded)
            try c.encode(stopped, forKey: .stopped)
            try c.encode(releases, forKey: .releases)
            try c.encode(repaired, forKey: .repaired)
            try c.encode(slow, forKey: .slow)
            try c.encode(error, forKey: .error)
            try c.encode(unchanged, forKey: .unchanged)
            try c.encode(timings.mapValues(DeployReport.rounded), forKey: .timings)
        }
    }

    public struct ProbeReport: Sendable, Codable, Equatable {
        public var host: String
        public var target: String
        public var healthy: Bool
        public var status: Int?
        public var latencyMs: Int
        public var answer: String
        public var stderr: String

        enum CodingKeys: String, CodingKey { case host, target, healthy, status, latencyMs = "latency_ms", answer, stderr }
    }

    public struct TierReport: Sendable, Codable, Equatable {
        public var tier: Tier
        public var healthy: Bool
        public var probes: [ProbeReport]
    }

    public var stack: String
    public var command: String
    public var ok = true
    public var exitCode: ExitStatus = .ok
    public var failure: String?
    /// Done, but not as it should be (an instance answers slower than its threshold): exit 8.
    public var warning: String?
    public var seconds: Double = 0
    public var hosts: [HostReport]
    public var tiers: [TierReport] = []
    /// Each phase's wall time across its hosts, in the order they ran (a phase that ran again
    /// is listed again): with `seconds`, where a slow run spent its time.
    public var phases: [PhaseTiming] = []
    /// A rollout that stopped after its first batch (`--pause`), holding the lock.
    public var paused: PausedRollout? = nil
    /// `maintenance`: each front host's mode after the run.
    public var maintenance: [String: MaintenanceHost] = [:]

    public struct MaintenanceHost: Sendable, Codable, Equatable {
        public var on: Bool
        public var state: MaintenanceState?

        public static func on(_ state: MaintenanceState) -> MaintenanceHost { MaintenanceHost(on: true, state: state) }
        public static let off = MaintenanceHost(on: false, state: nil)
    }

    public struct PhaseTiming: Sendable, Codable, Equatable {
        public var phase: String
        public var seconds: Double

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(phase, forKey: .phase)
            try c.encode(DeployReport.rounded(seconds), forKey: .seconds)
        }
    }

    enum CodingKeys: String, CodingKey { case stack, command, ok, exitCode = "exit_code", failure, warning, seconds, hosts, tiers, phases, maintenance, paused }

    /// Timings to the millisecond: finer is noise.
    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    mutating func timePhase(_ phase: String?, seconds: Double) {
        guard let phase, !phase.isEmpty else { return }
        phases.append(PhaseTiming(phase: phase, seconds: seconds))
    }

    public init(stack: String, command: String, hosts: [String]) {
        self.stack = stack
        self.command = command
        self.hosts = hosts.map(HostReport.init)
    }

    mutating func update(_ host: String, _ change: (inout HostReport) -> Void) {
        if let i = hosts.firstIndex(where: { $0.host == host }) { change(&hosts[i]) }
    }

    /// A run that did its work but leaves the stack degraded; a failure still wins. Every
    /// degradation is said, each once, in the order found (a slow probe does not hide an
    /// expired certificate).
    mutating func degrade(_ message: String) {
        guard ok else { return }
        exitCode = .degraded
        guard let said = warning else { warning = message; return }
        if !said.contains(message) { warning = said + "; " + message }
    }

    /// The first failure decides the run's exit status and message.
    mutating func fail(_ code: ExitStatus, _ message: String) {
        guard ok else { return }
        ok = false
        warning = nil
        exitCode = code
        failure = message
    }
}

/// Progress, as it happens.
public struct DeployEvent: Sendable {
    public enum Kind: Sendable { case step, done, failed, info }
    public var kind: Kind
    public var host: String?
    public var text: String
}
