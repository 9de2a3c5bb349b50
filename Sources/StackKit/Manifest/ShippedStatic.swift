/// A static directory the middle serves from releases of a local directory: `root: { source:
/// DIR }` or an alias `URL: { source: DIR }`. On each middle host it lives under
/// `BASE/static/NAME`: `releases/ID` (content-addressed, as a pool's), `served/ID` (that
/// release together with the one served before it, as hard links) and `current`, the link the
/// middle serves, switched atomically.
public struct ShippedStatic: Sendable, Equatable {
    /// `middle.static.root` or `middle.static.aliases./static`.
    public var key: String
    /// The directory's name under `BASE/static`: `root`, or the alias URL as one word (`static`,
    /// `media-img`).
    public var name: String
    public var source: ReleaseSource

    /// Its name among a run's releases and a host's (a pool's is the pool's own name).
    public var releaseName: String { "static/" + name }

    public init(key: String, name: String, source: ReleaseSource) {
        self.key = key
        self.name = name
        self.source = source
    }

    /// What the middle serves for the shipped directory `name` of a stack under `base`.
    static func current(base: String, name: String) -> String { "\(base)/static/\(name)/current" }

    /// `/media/img/` as a directory name: `media-img`.
    static func name(forAlias url: String) -> String {
        url.split(separator: "/").joined(separator: "-")
    }
}

extension Topology {
    public func staticDirectory(_ name: String) -> String { "\(base)/static/\(name)" }
    /// What the middle serves for a shipped static directory.
    public func staticCurrent(_ name: String) -> String { ShippedStatic.current(base: base, name: name) }
}
