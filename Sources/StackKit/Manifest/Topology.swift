/// Where a worker listens.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(address: String, port: Int)

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let address, let port): "\(Topology.hostPort(address, port))"
        }
    }
}

/// One worker process of a pool on a host.
public struct WorkerInstance: Sendable, Hashable {
    public var pool: String
    public var host: String
    public var index: Int
    public var endpoint: Endpoint

    /// The process name used by the process manager, e.g. `shop-main-0`.
    public func unitName(stack: String) -> String { "\(stack)-\(pool)-\(index)" }

    /// Its name among lighttpd's backends (and in lighttpd's statistics), e.g. `main-app1-0`.
    public var backendName: String { "\(pool)-\(host)-\(index)" }

    /// How nginx's `$upstream_addr` names it: `ADDRESS:PORT` or `unix:PATH`.
    public var upstreamAddress: String {
        switch endpoint {
        case .unix(let path): "unix:\(path)"
        case .tcp(let address, let port): Topology.hostPort(address, port)
        }
    }
}

/// The manifest resolved into places: which instance runs where, on which socket, and the
/// paths each host keeps stackctl's files under. Pure and derived; never stored.
public struct Topology: Sendable {
    public let manifest: Manifest
    /// `pool@host` pairs the middle tier must not send requests to (a host being rolled out).
    public var drained: Set<String> = []

    /// Each host's address by name (a lookup per worker must not walk the host list).
    private let addresses: [String: String]

    public init(_ manifest: Manifest, drained: Set<String> = []) {
        self.manifest = manifest
        self.drained = drained
        addresses = Dictionary(manifest.hosts.map { ($0.name, $0.address) }, uniquingKeysWith: { first, _ in first })
    }

    public static func drainKey(pool: String, host: String) -> String { "\(pool)@\(host)" }

    /// The workers the middle tier sends requests to: all but the drained.
    /// Interleaved by host (instance 0 of every host, then instance 1, ...): round robin's next
    /// pick, and lighttpd's one retry after a connect timeout, go to another host, not to the
    /// silent host's next instance.
    public func upstreamWorkers(of pool: Pool) -> [WorkerInstance] {
        let serving = workers(of: pool).filter { !drained.contains(Self.drainKey(pool: pool.name, host: $0.host)) }
        return serving.enumerated().sorted { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }.map(\.element)
    }

    public func releasesDirectory(_ pool: String) -> String { "\(poolDirectory(pool))/releases" }
    public func currentLink(_ pool: String) -> String { "\(poolDirectory(pool))/current" }
    public var pipCache: String { "\(base)/cache/pip" }

    public var base: String { manifest.base }
    public var runDirectory: String { "\(base)/run" }
    public var logDirectory: String { "\(base)/log" }
    public var frontDirectory: String { "\(base)/front" }
    /// `stackctl maintenance`'s files on a front host: `on` (its state, while it holds),
    /// `page.html` and `retry-after`.
    public var maintenanceDirectory: String { "\(base)/front/maintenance" }
    public var middleDirectory: String { "\(base)/middle" }
    public func poolDirectory(_ pool: String) -> String { "\(base)/pools/\(pool)" }
    public func socketDirectory(_ pool: String) -> String { "\(runDirectory)/\(pool)" }

    public var frontConfigPath: String { "\(frontDirectory)/apache2.conf" }
    /// Where Apache finds the certificate chain and key: shipped under `front/tls/`, or as given.
    /// Nil with ACME: mod_md gives the virtual host its certificate.
    public var tlsCertificatePath: String? { manifest.front.tls.flatMap { tlsPath($0.certificate, "certificate.pem") } }
    public var tlsKeyPath: String? { manifest.front.tls.flatMap { tlsPath($0.key, "key.pem") } }
    /// A private ACME CA's root certificate, shipped.
    public var acmeCAPath: String { "\(frontDirectory)/tls/acme-ca.pem" }
    /// mod_md's store: account, certificates, keys and staged renewals (made by mod_md itself).
    public var acmeStoreDirectory: String { "\(frontDirectory)/md" }
    func tlsPath(_ source: FrontTLS.Source, _ name: String) -> String? {
        switch source {
        case .shipped: "\(frontDirectory)/tls/\(name)"
        case .onHost(let path): path
        case .acme: nil
        }
    }
    public var middleConfigPath: String { "\(middleDirectory)/\(manifest.middle.server.rawValue).conf" }
    public func launcherPath(_ pool: String) -> String { "\(poolDirectory(pool))/launcher.py" }
    public func poolConfigPath(_ pool: String) -> String { "\(poolDirectory(pool))/pool.json" }
    public var supervisorConfigPath: String { "\(base)/supervisor/supervisord.conf" }
    /// The stack's supervisord (`SupervisordRenderer.launcher`).
    public var supervisordPath: String { "\(base)/supervisor/supervisord" }
    public var supervisorSocketPath: String { "\(runDirectory)/supervisor.sock" }
    public func systemdUnitPath(_ unit: String) -> String { "/etc/systemd/system/\(unit)" }
    /// On a host that boots with systemd, a supervisord stack's supervisord runs as this unit,
    /// and the boot unit starts its programs tier by tier at boot (never during `up`).
    public var supervisorUnit: String { "\(manifest.name)-supervisord.service" }
    public var supervisorBootUnit: String { "\(manifest.name)-supervisord-boot.service" }

    /// Unit and program names are prefixed with the stack's name so several stacks share a host.
    public var frontUnit: String { "\(manifest.name)-front" }
    public var middleUnit: String { "\(manifest.name)-middle" }
    public func poolUnit(_ pool: String) -> String { "\(manifest.name)-\(pool)" }

    /// Whether workers of `pool` on `host` use a unix socket: only when every router host (the
    /// middle's, or the front's without a middle) is that same host, since each talks to every worker.
    public func usesUnixSocket(pool: Pool, host: String) -> Bool {
        switch pool.socket {
        case .unix: true
        case .tcp: false
        case .auto: routerHosts == [host]
        }
    }

    public func workers(of pool: Pool) -> [WorkerInstance] {
        pool.hosts.flatMap { workers(of: pool, on: $0) }
    }

    /// One host's instances of a pool (a host's own costs nothing per other host: fleets of
    /// thousands render in linear time).
    func workers(of pool: Pool, on hostName: String) -> [WorkerInstance] {
        let unix = usesUnixSocket(pool: pool, host: hostName), address = unix ? "" : connectAddress(of: hostName)
        return (0..<pool.instances).map { i in
            let endpoint: Endpoint = unix ? .unix(path: "\(socketDirectory(pool.name))/\(i).sock") : .tcp(address: address, port: pool.port + i)
            return WorkerInstance(pool: pool.name, host: hostName, index: i, endpoint: endpoint)
        }
    }

    public func workers(on host: String) -> [WorkerInstance] {
        manifest.pools.filter { $0.hosts.contains(host) }.flatMap { workers(of: $0, on: host) }
    }

    public func hostAddress(_ name: String) -> String { addresses[name] ?? "127.0.0.1" }

    /// The address other tiers use to reach a host.
    public func connectAddress(of host: String) -> String { hostAddress(host) }

    public func frontListenAddress(on host: String) -> String { manifest.front.address ?? hostAddress(host) }
    public func middleListenAddress(on host: String) -> String { manifest.middle.address ?? hostAddress(host) }

    /// Where lighttpd answers its counters (`status.statistics-url`), only to requests from the
    /// middle host itself: `status` reads a canary's share of the requests there.
    public static let statisticsPath = "/.stackctl-statistics"
    /// mod_md's status of the front's managed domains (JSON), answered to the front host only.
    public static let acmeStatusPath = "/.stackctl-md-status"

    /// The address the front uses for a middle host: its listen address unless that is a wildcard.
    /// Where a front host reaches its own front (its status pages are answered to it only).
    public func frontConnectAddress(of host: String) -> String {
        let listen = frontListenAddress(on: host)
        return Self.isWildcard(listen) ? hostAddress(host) : listen
    }

    public func middleConnectAddress(of host: String) -> String {
        let listen = middleListenAddress(on: host)
        return Self.isWildcard(listen) ? hostAddress(host) : listen
    }

    /// Open files the middle server needs: a client and a backend connection for each of
    /// `max_connections`, and some for logs and listeners. Set as its own limit (nginx
    /// `worker_rlimit_nofile`, lighttpd `server.max-fds`) and its process manager's.
    public var middleOpenFiles: Int { 2 * manifest.middle.maxConnections + 64 }

    /// The first server name that is not a wildcard: Apache's ServerName and the probes' Host.
    public var plainServerName: String? { manifest.front.serverNames.first { !$0.contains("*") && !$0.hasPrefix(".") } }

    /// The Host the probes send: the first plain server name, or `address` as a Host header writes it.
    public func serverName(or address: String) -> String { plainServerName ?? Self.hostLiteral(address) }

    /// An address as a URL or config takes a host: IPv6 literals in brackets.
    public static func hostLiteral(_ address: String) -> String { address.contains(":") ? "[\(address)]" : address }

    public static func isWildcard(_ address: String) -> Bool { address == "0.0.0.0" || address == "::" }

    /// An IPv4 or (bracketed) IPv6 literal rather than a name.
    public static func isAddressLiteral(_ text: String) -> Bool {
        text.contains(":") || text.split(separator: ".").count == 4 && text.split(separator: ".").allSatisfy { Int($0) != nil }
    }

    /// `host:port`, with brackets around IPv6 literals.
    public static func hostPort(_ address: String, _ port: Int) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// Hosts in manifest order that run any part of the stack.
    public var activeHosts: [Host] {
        manifest.hosts.filter { roles(of: $0.name).isEmpty == false }
    }

    /// The tiers a host runs.
    public func roles(of host: String) -> Set<Tier> {
        var roles: Set<Tier> = []
        if manifest.front.hosts.contains(host) { roles.insert(.front) }
        if manifest.middle.hosts.contains(host) { roles.insert(.middle) }
        if manifest.pools.contains(where: { $0.hosts.contains(host) }) { roles.insert(.workers) }
        return roles
    }
}
