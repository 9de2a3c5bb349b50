/// A pool's persistent directory (`pools.POOL.data.NAME`): uploads, a sqlite file, anything
/// the app writes that must outlive a release. Made on every host of the pool before its
/// release command runs, owned by the pool's user; kept across releases, rollbacks, `down` and
/// redeploys, never pruned, and served only when a static alias names it (`{data: POOL/NAME}`).
public struct DataDirectory: Sendable, Equatable {
    public var name: String
    /// Where it is on each host of the pool.
    public var path: String
    /// Its mode; served by the router, it also gets the setgid bit (files made in it stay the
    /// router's group, which may read them).
    public var mode: Int = 0o750
    /// The environment variable that gives the app its path.
    public var variable: String

    public init(name: String, path: String, mode: Int = 0o750, variable: String) {
        self.name = name
        self.path = path
        self.mode = mode
        self.variable = variable
    }

    /// `media` → `MEDIA_DIR`, `user-files` → `USER_FILES_DIR`.
    public static func variable(for name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_") + "_DIR"
    }

    /// `BASE/data/POOL/NAME`: outside the pool's releases, which come and go.
    public static func defaultPath(base: String, pool: String, name: String) -> String {
        "\(base)/data/\(pool)/\(name)"
    }
}

extension Manifest {
    /// The data directory an alias's `{data: POOL/NAME}` names.
    public func dataDirectory(_ reference: String) -> (pool: Pool, data: DataDirectory)? {
        let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let pool = pool(named: parts[0]), let data = pool.data.first(where: { $0.name == parts[1] }) else { return nil }
        return (pool, data)
    }

    /// Whether the router serves this data directory through an alias.
    public func serves(_ data: DataDirectory, of pool: Pool) -> Bool {
        middle.aliases.contains { $0.data == "\(pool.name)/\(data.name)" }
    }
}
