/// What `restart` and `logs` act on: a pool's workers, or a server tier.
public enum ProgramScope: Sendable, Equatable {
    case pool(String)
    case middle
    case front

    /// A pool's name, or `middle` or `front`; nil when the manifest has no such thing.
    public static func named(_ name: String, in manifest: Manifest) -> ProgramScope? {
        if manifest.pool(named: name) != nil { return .pool(name) }
        return name == "middle" ? .middle : name == "front" ? .front : nil
    }

    public var tier: Tier {
        switch self {
        case .pool: .workers
        case .middle: .middle
        case .front: .front
        }
    }

    public var pool: String? {
        if case .pool(let name) = self { name } else { nil }
    }

    var label: String {
        switch self {
        case .pool(let name): "pool \(name)"
        case .middle: "middle"
        case .front: "front"
        }
    }
}
