/// How many hosts of a rollout may fail their gate before it stops (`--max-fail N|P%`, as
/// Ansible's `max_fail_percentage`): each failed batch is switched back and put back, and the
/// rollout goes on while the failed hosts are at most this many. 0, the default, stops at the
/// first. The run still ends unhealthy when any host failed.
public enum FailLimit: Sendable, Equatable, CustomStringConvertible {
    case hosts(Int)
    case percent(Int)

    public static let none = FailLimit.hosts(0)

    /// `2` or `10%`; nil for anything else.
    public init?(_ text: String) {
        if text.hasSuffix("%") {
            guard let p = Int(text.dropLast()), (0...100).contains(p) else { return nil }
            self = .percent(p)
        } else {
            guard let n = Int(text), n >= 0 else { return nil }
            self = .hosts(n)
        }
    }

    public var description: String {
        switch self {
        case .hosts(let n): "\(n)"
        case .percent(let p): "\(p)%"
        }
    }

    /// The failed hosts allowed among `total` moving (a share rounds down).
    public func allowed(of total: Int) -> Int {
        switch self {
        case .hosts(let n): n
        case .percent(let p): total * p / 100
        }
    }
}
