/// The site a probe says it asks for, as a request through the front would: its name and port,
/// and whether it came over HTTPS. An app that checks the Host (Django refuses one outside
/// `ALLOWED_HOSTS`) or builds URLs (Flask's `url_for`) sees what a visitor's request gives it.
public struct ProbeSite: Sendable, Equatable {
    public var name: String
    public var port: Int
    public var https: Bool

    public init(name: String = "localhost", port: Int = 80, https: Bool = false) {
        self.name = name
        self.port = port
        self.https = https
    }

    public var scheme: String { https ? "https" : "http" }

    /// `Host:` as a browser sends it: the port only when it is not the scheme's own.
    public var hostHeader: String { port == (https ? 443 : 80) ? name : "\(name):\(port)" }
}

extension Topology {
    /// The site the probes name: `health.host` when a tier sets it, else the front's first plain
    /// server name, else `address`; the front's HTTPS port when it serves TLS (443 when TLS ends
    /// before it), else its HTTP port.
    public func probeSite(_ override: String?, or address: String) -> ProbeSite {
        let front = manifest.front
        let https = front.tls != nil || front.scheme == "https"
        let port = front.tls?.port ?? (https ? 443 : front.port)
        let name = override.map(Self.hostLiteral) ?? serverName(or: address)
        return ProbeSite(name: name, port: port, https: https)
    }

    /// The address a visitor's request reaches first: the first front host's.
    var frontAddress: String {
        guard let first = manifest.front.hosts.first else { return "localhost" }
        let listen = frontListenAddress(on: first)
        return Self.isWildcard(listen) ? hostAddress(first) : listen
    }
}
