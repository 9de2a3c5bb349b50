/// What `up` would do, per host, found without changing anything: `stackctl plan`.
public struct PlanReport: Sendable, Codable, Equatable {
    public struct FileChange: Sendable, Codable, Equatable {
        /// `create`, `update` (contents), or `ownership` (mode, owner or group only).
        public var change: String
        public var path: String
        /// `MODE:OWNER:GROUP` on the host now (nil for a new file), and as it would be.
        public var ownershipBefore: String?
        public var ownership: String
        /// The unified diff of the contents (empty when only the ownership changes).
        public var diff: String

        enum CodingKeys: String, CodingKey { case change, path, ownershipBefore = "ownership_before", ownership, diff }
    }

    public struct ReleaseChange: Sendable, Codable, Equatable {
        public var pool: String
        /// The release the host runs now (nil on a host that has none yet).
        public var from: String?
        public var to: String
    }

    /// A pool's data directory on a host: kept across releases, made by `up` where missing.
    public struct DataEntry: Sendable, Codable, Equatable {
        public var pool: String
        public var name: String
        public var path: String
        /// The environment variable that gives the app its path.
        public var variable: String
        /// `MODE:OWNER:GROUP` as `up` leaves it.
        public var ownership: String
        /// `create`, `ownership` (its mode, owner or group is put right) or `kept`.
        public var change: String
    }

    public struct HostChangesReport: Sendable, Codable, Equatable {
        public var host: String
        public var reachable = true
        public var files: [FileChange] = []
        public var directories: [String] = []
        /// What activation would do, tier by tier ("workers: start shop-main@0.service").
        public var actions: [String] = []
        public var releases: [ReleaseChange] = []
        /// Every data directory of the host's pools, changing or not.
        public var data: [DataEntry] = []
        public var error: String?

        public var changes: Bool { !files.isEmpty || !directories.isEmpty || !actions.isEmpty || !releases.isEmpty }

        public init(host: String) { self.host = host }
    }

    public var stack: String
    public var hosts: [HostChangesReport]
    public var failure: String?
    public var failureStatus: ExitStatus?
    public var seconds = 0.0

    public init(stack: String, hosts: [HostChangesReport]) {
        self.stack = stack
        self.hosts = hosts
    }

    public var changes: Bool { hosts.contains { $0.changes } }

    /// 0: nothing to do; 2: `up` would change something; otherwise why the plan failed.
    public var exitCode: Int32 {
        if let failureStatus { return failureStatus.rawValue }
        return changes ? ExitStatus.changesPending.rawValue : 0
    }

    enum CodingKeys: String, CodingKey { case stack, hosts, changes, failure, seconds }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stack, forKey: .stack)
        try c.encode(hosts, forKey: .hosts)
        try c.encode(changes, forKey: .changes)
        try c.encode(failure, forKey: .failure)
        try c.encode(seconds, forKey: .seconds)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stack = try c.decode(String.self, forKey: .stack)
        hosts = try c.decode([HostChangesReport].self, forKey: .hosts)
        failure = try c.decodeIfPresent(String.self, forKey: .failure)
        seconds = try c.decode(Double.self, forKey: .seconds)
    }
}
