/// A stack without a middle tier: Apache serves the static files itself and passes each route
/// to its pool over FastCGI (mod_proxy_fcgi), through a balancer across the pool's workers.
/// Measured on Apache 2.4 with flup (field notes): `SetHandler proxy:balancer://...` in a
/// `<Location>` per route, later (longer) routes overriding earlier ones, static prefixes
/// taken back with `SetHandler none`; SCRIPT_NAME and PATH_INFO set by ProxyFCGISetEnvIf from
/// the decoded path (mod_proxy_fcgi sends no PATH_INFO of its own), as nginx's and lighttpd's
/// routes give them. Unix-socket members each get their own short name (`fcgi://s0`, `s1`...):
/// one name for several would make Apache take them for one worker, and a name, like a socket
/// path, must fit Apache's 96 bytes.
extension ApacheRenderer {
    static let directModules = [
        ("proxy_fcgi_module", "mod_proxy_fcgi.so"), ("alias_module", "mod_alias.so"), ("mime_module", "mod_mime.so"),
    ]
    /// For SCGI pools: mod_proxy_scgi, and mod_env for the SetEnv that tells flup the mount.
    static let scgiModules = [("proxy_scgi_module", "mod_proxy_scgi.so"), ("env_module", "mod_env.so")]

    /// One Apache instance serves one stack: the pool's name is enough (and fits Apache's 96 bytes).
    func balancerName(pool: String) -> String { "balancer://pool-\(pool)" }

    /// `n` numbers the unix-socket members of the whole config, in order.
    func fcgiMember(_ worker: WorkerInstance, scheme: String, _ n: inout Int) -> String {
        switch worker.endpoint {
        case .unix(let path):
            defer { n += 1 }
            return "unix:\(path)|\(scheme)://s\(n)"
        case .tcp(let address, let port):
            return "\(scheme)://" + Topology.hostPort(address, port)
        }
    }

    /// Static files, then a balancer per routed pool, then the routes, then the static
    /// prefixes taken back from a root route.
    func direct() -> String {
        let m = manifest.middle
        var out = "\n# Static files, served by Apache itself.\nTypesConfig /dev/null\n"
        for (ext, type) in MimeTypes.merged(with: m.mimeTypes) { out += "AddType \(q(type)) \(q("." + ext))\n" }
        out += "<Directory \"/\">\n    Require all denied\n    AllowOverride None\n</Directory>\n"
        if !m.staticRoot.isEmpty {
            out += "DocumentRoot \(q(m.staticRoot))\n" + directory(m.staticRoot)
        }
        for alias in m.aliases.sorted(by: { $0.url.count > $1.url.count }) {
            out += "Alias \(q(alias.url)) \(q(alias.directory))\n" + directory(alias.directory)
        }
        var pools: [String] = [], n = 0
        for route in m.routes where !pools.contains(route.pool) { pools.append(route.pool) }
        for name in pools {
            guard let pool = manifest.pool(named: name) else { continue }
            let workers = topology.upstreamWorkers(of: pool), options = options(members: workers.count)
            out += "\n<Proxy \(q(balancerName(pool: name)))>\n"
            let scheme = pool.gateway == .scgi ? "scgi" : "fcgi"
            for worker in workers { out += "    BalancerMember \(q(fcgiMember(worker, scheme: scheme, &n))) \(options)\n" }
            out += "    ProxySet lbmethod=\(front.balance.apache.method)\n</Proxy>\n"
        }
        for route in m.routes.sorted(by: { ($0.prefix.count, $0.prefix) < ($1.prefix.count, $1.prefix) }) {
            out += "\n" + location(route)
        }
        out += "<Location \(q(Self.maintenancePath))>\n    SetHandler none\n</Location>\n"
        if !m.aliases.isEmpty {
            out += "\n# Static prefixes never reach an app.\n"
            for alias in m.aliases.sorted(by: { $0.url < $1.url }) { out += "<Location \(q(alias.url))>\n    SetHandler none\n</Location>\n" }
        }
        return out
    }

    func directory(_ path: String) -> String {
        "<Directory \(q(path))>\n    Options None\n    Require all granted\n</Directory>\n"
    }

    /// One route: every path at or under its prefix goes to the pool's balancer.
    func location(_ route: Route) -> String {
        let p = route.prefix
        var out = route.isRoot ? "<Location \"/\">\n" : "<LocationMatch \(q("^\(Dialect.regex(p))(/|$)"))>\n"
        out += "    SetHandler \(q("proxy:" + balancerName(pool: route.pool)))\n"
        if manifest.speaksSCGI(route) {
            // mod_proxy_scgi splits the path at the first segment (SCRIPT_NAME=/a for /a/b);
            // flup's SCGI server takes the mount from WSGI_SCRIPT_NAME and splits it again.
            out += "    SetEnv WSGI_SCRIPT_NAME \(route.isRoot ? "\"\"" : q(p))\n"
            if front.tls == nil && front.scheme == "https" { out += "    SetEnv HTTPS on\n" }
            return out + (route.isRoot ? "</Location>\n" : "</LocationMatch>\n")
        }
        out += "    ProxyFCGIBackendType GENERIC\n"
        if route.isRoot {
            out += "    ProxyFCGISetEnvIf \"true\" SCRIPT_NAME \"\"\n"
            out += "    ProxyFCGISetEnvIf \"true\" PATH_INFO \"%{REQUEST_URI}\"\n"
        } else {
            out += "    ProxyFCGISetEnvIf \"true\" SCRIPT_NAME \(q(p))\n"
            out += "    ProxyFCGISetEnvIf \"true\" PATH_INFO \"\"\n"
            out += "    ProxyFCGISetEnvIf \(q("%{REQUEST_URI} =~ m#^\(Dialect.regex(p))(/.*)$#")) PATH_INFO \"$1\"\n"
        }
        // TLS ending before Apache: the app learns https from the HTTPS parameter.
        if front.tls == nil && front.scheme == "https" { out += "    ProxyFCGISetEnvIf \"true\" HTTPS \"on\"\n" }
        return out + (route.isRoot ? "</Location>\n" : "</LocationMatch>\n")
    }
}
