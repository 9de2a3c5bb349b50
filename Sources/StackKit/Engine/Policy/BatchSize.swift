/// How many of a pool's hosts a rolling command moves at once: a count (`3`) or a share of the
/// pool's hosts (`25%`, rounded down, at least one). Either way at most all but one, so one
/// host always serves.
public enum BatchSize: Sendable, Equatable, CustomStringConvertible {
    case hosts(Int)
    case percent(Int)

    public static let one = BatchSize.hosts(1)

    /// `3` or `25%`; nil for anything else (zero, negative, over 100%).
    public init?(_ text: String) {
        if text.hasSuffix("%") {
            guard let p = Int(text.dropLast()), (1...100).contains(p) else { return nil }
            self = .percent(p)
        } else {
            guard let n = Int(text), n >= 1 else { return nil }
            self = .hosts(n)
        }
    }

    public var description: String {
        switch self {
        case .hosts(let n): "\(n)"
        case .percent(let p): "\(p)%"
        }
    }

    /// Hosts per batch for a pool of `total` serving hosts.
    public func size(of total: Int) -> Int {
        let wanted = switch self {
        case .hosts(let n): n
        case .percent(let p): total * p / 100
        }
        return max(1, min(wanted, total - 1))
    }
}
