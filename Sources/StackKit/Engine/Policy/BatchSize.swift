/// How many of a pool's hosts a rolling command moves at once: a count (`3`) or a share of the
/// pool's hosts (`25%`, rounded down, at least one). Either way at most all but one, so one
/// host always serves. A list (`1,25%,100%`) gives each batch its own size in order, the last
/// repeating, as Ansible's `serial` list does: one host first, then a quarter, then the rest.
public indirect enum BatchSize: Sendable, Equatable, CustomStringConvertible {
    case hosts(Int)
    case percent(Int)
    case list([BatchSize])

    public static let one = BatchSize.hosts(1)

    /// `3` or `25%`; nil for anything else (zero, negative, over 100%).
    public init?(_ text: String) {
        if text.contains(",") {
            let steps = text.split(separator: ",", omittingEmptySubsequences: false).map { BatchSize(String($0)) }
            guard steps.count >= 2, steps.allSatisfy({ if case .list? = $0 { false } else { $0 != nil } }) else { return nil }
            self = .list(steps.compactMap { $0 })
        } else if text.hasSuffix("%") {
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
        case .list(let steps): steps.map(\.description).joined(separator: ",")
        }
    }

    /// Hosts in batch `index` (from 0) for a pool of `total` serving hosts.
    public func size(of total: Int, batch index: Int = 0) -> Int {
        let wanted = switch self {
        case .hosts(let n): n
        case .percent(let p): total * p / 100
        case .list(let steps): steps.isEmpty ? 1 : steps[min(index, steps.count - 1)].size(of: total)
        }
        return max(1, min(wanted, total - 1))
    }
}
