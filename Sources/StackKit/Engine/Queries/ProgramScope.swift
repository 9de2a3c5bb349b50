/// What `restart` and `logs` act on: a pool's workers, or a server tier.
public enum ProgramScope: Sendable, Equatable {
    case pool(String)
    case middle
    case front

    /// A pool's name, or `middle` or `front`; nil when the manifest has no such thing (no
    /// `middle` in a stack without a middle tier).
    public static func named(_ name: String, in manifest: Manifest) -> ProgramScope? {
        if manifest.pool(named: name) != nil { return .pool(name) }
        if name == "middle" { return manifest.middle.byFront ? nil : .middle }
        return name == "front" ? .front : nil
    }

    /// Why `name` names nothing `restart` and `logs` can act on.
    public static func unknown(_ name: String, in manifest: Manifest) -> String {
        name == "middle" && manifest.middle.byFront ? "this stack has no middle tier: the front serves it"
            : "no pool named '\(name)', and it is not 'middle' or 'front'"
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
