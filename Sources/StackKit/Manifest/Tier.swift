/// The three tiers of a stack, bottom-up: `up` starts them in this order, `down` stops them in
/// the reverse. Every part of stackctl (programs, files, probes, reports) names tiers with it.
public enum Tier: String, Sendable, Codable, CaseIterable, Comparable {
    case workers, middle, front

    public static func < (a: Tier, b: Tier) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// Which tier a file belongs to (it is put in place when that tier is activated), and for worker
/// files the pool. A file of no tier belongs to the process manager (supervisord.conf, the
/// stack's systemd target) and is committed with the host's first tier.
public struct FileRole: Sendable, Hashable {
    public var tier: Tier?
    public var pool: String?

    public static func workers(pool: String) -> FileRole { FileRole(tier: .workers, pool: pool) }
    public static let middle = FileRole(tier: .middle, pool: nil)
    public static let front = FileRole(tier: .front, pool: nil)
    public static let manager = FileRole(tier: nil, pool: nil)
}
