/// The router: the tier that serves the static files and passes app routes to the pools. The
/// middle tier, or in a stack without one the front (`front.static`, `front.routes`).
extension Topology {
    public var direct: Bool { manifest.middle.byFront }
    public var routerTier: Tier { direct ? .front : .middle }
    public var routerRole: FileRole { direct ? .front : .middle }
    public var routerHosts: [String] { direct ? manifest.front.hosts : manifest.middle.hosts }
    /// The group the router runs as: its members may enter the pools' unix socket directories.
    public var routerGroup: String { direct ? manifest.front.group : manifest.middle.group }
}

extension Manifest {
    /// Whether the route's pool speaks SCGI (the router's config differs per route then).
    public func speaksSCGI(_ route: Route) -> Bool { pool(named: route.pool)?.gateway == .scgi }
    /// Whether any routed pool speaks SCGI (the router loads its SCGI module then).
    public var routesSCGI: Bool { middle.routes.contains(where: speaksSCGI) }
}

extension Middle {
    /// `middle`, or `front` in a stack without a middle tier.
    public var routerSection: String { byFront ? "front" : "middle" }
}
