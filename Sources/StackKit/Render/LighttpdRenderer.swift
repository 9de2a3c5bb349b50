/// lighttpd.conf for the middle tier. Follows the field notes: routes are guarded by regex
/// conditions (a bare prefix key would also catch /apple for /app), keys never end in '/',
/// a root mount sets fix-root-scriptname, static prefixes are excluded from every route,
/// and the config carries its own full mime table.
struct LighttpdRenderer {
    let topology: Topology
    let host: Host

    var manifest: Manifest { topology.manifest }
    var middle: Middle { manifest.middle }
    func q(_ s: String) -> String { Dialect.lighttpd(s) }

    func render() -> String {
        var out = Dialect.header("#", stack: manifest.name, host: host.name)
        out += """
        server.modules = ( "mod_access", "mod_alias", "mod_extforward", "mod_status", "mod_fastcgi", \(usesSCGI ? "\"mod_scgi\", " : "")"mod_accesslog" )
        server.bind = \(q(Topology.hostLiteral(topology.middleListenAddress(on: host.name))))
        server.port = \(middle.port)
        server.document-root = \(q(middle.staticRoot))
        server.pid-file = \(q(topology.runDirectory + "/lighttpd.pid"))
        server.errorlog = \(q(topology.logDirectory + "/lighttpd-error.log"))
        accesslog.filename = \(q(topology.logDirectory + "/lighttpd-access.log"))
        server.username = \(q(middle.user))
        server.groupname = \(q(middle.group))
        server.max-connections = \(middle.maxConnections)
        server.max-fds = \(topology.middleOpenFiles)
        server.tag = "lighttpd"
        index-file.names = ( "index.html" )
        static-file.exclude-extensions = ( ".py", ".pyc", ".ini", ".cfg" )
        url.access-deny = ( "~", ".inc" )
        fastcgi.balance = \(q(middle.balance.lighttpd))

        """
        if usesSCGI { out += "scgi.balance = \(q(middle.balance.lighttpd))\n" }
        out += mimeTable() + aliases() + forwarding() + statistics() + routes()
        return out
    }

    func mimeTable() -> String {
        let rows = MimeTypes.merged(with: middle.mimeTypes).map { "  \(q("." + $0.ext)) => \(q($0.type))," }
        return "mimetype.assign = (\n" + rows.joined(separator: "\n") + "\n)\n"
    }

    /// Longer prefixes first: lighttpd refuses a shorter key before an overlapping longer one.
    func aliases() -> String {
        guard !middle.aliases.isEmpty else { return "" }
        let sorted = middle.aliases.sorted { ($0.url.count, $0.url) > ($1.url.count, $1.url) }
        let rows = sorted.map { "  \(q($0.url)) => \(q($0.directory))," }
        return "alias.url = (\n" + rows.joined(separator: "\n") + "\n)\n"
    }

    /// Trust X-Forwarded-For and -Proto only from the front hosts.
    func forwarding() -> String {
        let forwarders = FrontSources.addresses(topology)
        guard !forwarders.isEmpty else { return "" }
        let rows = forwarders.map { "\(q($0)) => \"trust\"" }.joined(separator: ", ")
        return """
        extforward.forwarder = ( \(rows) )
        extforward.headers = ( "X-Forwarded-For", "X-Forwarded-Proto" )

        """
    }

    /// The backends' counters, for `status` to read from this host only (after mod_extforward,
    /// a request through the front has its client's address, never this one). mod_status comes
    /// before mod_fastcgi in the modules, or a root route would take the path.
    func statistics() -> String {
        """
        $HTTP["remoteip"] == \(q(topology.middleConnectAddress(of: host.name))) {
          status.statistics-url = \(q(Topology.statisticsPath))
        }

        """
    }

    /// Whether a routed pool speaks SCGI (mod_scgi, same mount rules as mod_fastcgi).
    var usesSCGI: Bool { manifest.routesSCGI }

    /// Shorter prefixes first, so a longer nested prefix's block, matching later, wins. With
    /// both protocols routed, each block also empties the other module's list: a root route's
    /// `fastcgi.server` would otherwise still take an SCGI prefix's requests.
    func routes() -> String {
        let ordered = middle.routes.sorted { ($0.prefix.count, $0.prefix) < ($1.prefix.count, $1.prefix) }
        let mixed = usesSCGI && !middle.routes.allSatisfy(manifest.speaksSCGI)
        var blocks = ""
        for route in ordered {
            let scgi = manifest.speaksSCGI(route)
            let condition = route.isRoot ? "^/" : "^\(Dialect.regex(route.prefix))(/|$)"
            blocks += "$HTTP[\"url\"] =~ \(q(condition)) {\n"
            if mixed { blocks += "  \(scgi ? "fastcgi" : "scgi").server = ( )\n" }
            blocks += "  \(scgi ? "scgi" : "fastcgi").server = ( \(q(route.prefix)) => (\n"
            for worker in workers(for: route.pool) {
                blocks += "    \(q(worker.backendName)) => ( \(backend(worker, root: route.isRoot)) ),\n"
            }
            blocks += "  ) )\n}\n"
        }
        guard !middle.aliases.isEmpty else { return blocks }
        let statics = middle.aliases.map(\.url).sorted().map(Dialect.regex).joined(separator: "|")
        let indented = blocks.split(separator: "\n").map { "  \($0)\n" }.joined()
        return "# Static prefixes never reach an app.\n$HTTP[\"url\"] !~ \(q("^(\(statics))")) {\n" + indented + "}\n"
    }

    /// lighttpd 1.4.69 checks its backend timeouts once a second and gives up 2 s after its
    /// `connect-timeout` (measured: 1, 2, 3 waited 3.0, 4.0, 5.0 s), so it is set 2 s lower to
    /// wait `seconds` as nginx and Apache do; its shortest wait is 3 s.
    static func connectSetting(_ seconds: Int) -> Int { max(1, seconds - 2) }

    func workers(for pool: String) -> [WorkerInstance] {
        manifest.pool(named: pool).map { topology.upstreamWorkers(of: $0) } ?? []
    }

    func backend(_ worker: WorkerInstance, root: Bool) -> String {
        var parts: [String] = []
        switch worker.endpoint {
        case .unix(let path): parts.append("\"socket\" => \(q(path))")
        case .tcp(let address, let port): parts += ["\"host\" => \(q(address))", "\"port\" => \(port)"]
        }
        parts.append("\"check-local\" => \"disable\"")
        // A worker that refuses or stays silent past connect-timeout is out for disable-time;
        // the request goes to another (after a connect timeout, once).
        parts.append("\"connect-timeout\" => \(Self.connectSetting(middle.connectTimeout)), \"disable-time\" => \(middle.retry)")
        if root { parts.append("\"fix-root-scriptname\" => \"enable\"") }
        return parts.joined(separator: ", ")
    }
}

/// The addresses the front's requests arrive from at the middle tier.
enum FrontSources {
    static func addresses(_ topology: Topology) -> [String] {
        var out: [String] = []
        for name in topology.manifest.front.hosts {
            let address = topology.hostAddress(name)
            // Loopback connections leave from 127.0.0.1 whatever address the front listens on.
            for a in [address] + (address.hasPrefix("127.") ? ["127.0.0.1"] : []) where !out.contains(a) { out.append(a) }
        }
        return out
    }
}
