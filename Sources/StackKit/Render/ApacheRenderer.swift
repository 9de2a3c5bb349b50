/// apache2.conf for a dedicated front instance: every module it needs loaded explicitly
/// (without slotmem_shm it exits right after start, without proxy_http it answers 503), its own
/// pid, runtime and mutex paths, and ProxyPass to the middle tier, through a balancer when there
/// are several middle hosts.
struct ApacheRenderer {
    let topology: Topology
    let host: Host
    let platform: Platform

    var manifest: Manifest { topology.manifest }
    var front: Front { manifest.front }
    func q(_ s: String) -> String { Dialect.apache(s) }

    static func modules(_ manifest: Manifest) -> [(String, String)] {
        let front = manifest.front
        let plain = base + [front.balance.apache.module] + (manifest.middle.byFront ? directModules : [])
            + (manifest.middle.byFront && manifest.routesSCGI ? scgiModules : [])
        var seen: Set<String> = []
        let tls = front.tls.map { tls in [("ssl_module", "mod_ssl.so"), ("socache_shmcb_module", "mod_socache_shmcb.so")]
            + (tls.http2 ? [("http2_module", "mod_http2.so")] : []) + (tls.acme == nil ? [] : [("md_module", "mod_md.so")]) } ?? []
        return (plain + tls).filter { seen.insert($0.0).inserted }
    }

    static let base = [
        ("mpm_event_module", "mod_mpm_event.so"), ("authz_core_module", "mod_authz_core.so"),
        ("authz_host_module", "mod_authz_host.so"), ("proxy_module", "mod_proxy.so"),
        ("proxy_http_module", "mod_proxy_http.so"), ("proxy_balancer_module", "mod_proxy_balancer.so"),
        ("slotmem_shm_module", "mod_slotmem_shm.so"), ("headers_module", "mod_headers.so"),
        ("rewrite_module", "mod_rewrite.so"), ("alias_module", "mod_alias.so"),
    ]

    /// Apache takes no wildcard here, and no IPv6 literal either (its brackets read as a
    /// pattern): then the host's own name stands in. Requests for every name are answered.
    var serverName: String {
        let address = topology.hostAddress(host.name)
        return topology.plainServerName ?? (address.contains(":") ? host.name : address)
    }

    var balancerName: String { "balancer://\(manifest.name)-middle" }

    func render() -> String {
        let run = topology.runDirectory, log = topology.logDirectory
        var out = Dialect.header("#", stack: manifest.name, host: host.name)
        out += """
        ServerRoot \(q(topology.frontDirectory))
        PidFile \(q(run + "/apache2.pid"))
        DefaultRuntimeDir \(q(run))
        Mutex \(q("file:" + run)) default
        ErrorLog \(q(log + "/apache-error.log"))
        LogLevel warn

        """
        for (name, file) in Self.modules(manifest) {
            out += "LoadModule \(name) \(q(platform.apacheModules + "/" + file))\n"
        }
        // One server, no virtual hosts: it answers every name; the first is its own name.
        out += """

        User \(front.user)
        Group \(front.group)
        Listen \(Topology.hostPort(topology.frontListenAddress(on: host.name), front.port))
        ServerName \(serverName)

        """
        if let tls = front.tls { out += "Listen \(Topology.hostPort(topology.frontListenAddress(on: host.name), tls.port)) https\n" }
        out += """
        ServerTokens Prod
        ServerSignature Off
        # The middle's own banner (Server: nginx) stays behind the front: Apache names itself instead.
        Header unset Server
        TraceEnable Off
        Timeout \(front.timeout)
        LogFormat "%a %l %u %t \\"%r\\" %>s %b %D" stackctl
        CustomLog \(q(log + "/apache-access.log")) stackctl

        ProxyRequests Off
        ProxyPreserveHost On
        ProxyTimeout \(front.timeout)
        # The front is the edge: a client's own X-Forwarded-For is dropped, mod_proxy adds the real one.
        RequestHeader unset X-Forwarded-For early

        """ + maintenancePage()
        if manifest.middle.byFront {
            return out + maintenance() + direct() + (front.tls.map(https) ?? "") + acme()
        }
        guard let tls = front.tls else {
            return out + maintenance() + "RequestHeader set X-Forwarded-Proto \(q(front.scheme))\n\n" + proxy()
        }
        return out + balancer() + https(tls) + acme()
    }

    func member(_ middleHost: String) -> String {
        "http://" + Topology.hostPort(topology.middleConnectAddress(of: middleHost), manifest.middle.port)
    }

    /// No pooled connections to the middle: one that a graceful reload of the middle closes
    /// just as a request reuses it fails that request with 502 (AH01102), seen in rollouts.
    /// A member that refuses or stays silent past `connectiontimeout` is out for `retry`
    /// seconds, and the balancer passes the request to another member.
    /// A lone member is never left out (retry=0): there is no other to pass requests to, and
    /// one that refused during a restart would answer 503 for `retry` seconds after. The same
    /// for the middle hosts, and without a middle tier for a pool's workers.
    func options(members: Int) -> String {
        "connectiontimeout=\(front.connectTimeout) timeout=\(front.timeout) retry=\(members > 1 ? front.retry : 0) disablereuse=On"
    }

    var options: String { options(members: manifest.middle.hosts.count) }

    /// The balancer across middle hosts (none for one host).
    func balancer() -> String {
        let hosts = manifest.middle.hosts
        guard hosts.count > 1 else { return "" }
        var out = "<Proxy \(q(balancerName))>\n"
        for h in hosts { out += "    BalancerMember \(q(member(h))) \(options)\n" }
        return out + "    ProxySet lbmethod=\(front.balance.apache.method)\n</Proxy>\n"
    }

    /// The ProxyPass lines, indented by `indent` (none without a middle tier: the routes are
    /// the server's own `<Location>` sections, which every virtual host takes).
    func pass(_ indent: String = "") -> String {
        let hosts = manifest.middle.hosts
        guard !manifest.middle.byFront else { return "" }
        // The maintenance page is the front's own file, never the middle's.
        let own = "\(indent)ProxyPass \(q(Self.maintenancePath)) !\n"
            + (front.tls?.acme == nil ? "" : "\(indent)ProxyPass \(q(Topology.acmeStatusPath)) !\n")
        if hosts.count == 1 {
            let url = member(hosts[0]) + "/"
            return own + "\(indent)ProxyPass \"/\" \(q(url)) \(options)\n\(indent)ProxyPassReverse \"/\" \(q(url))\n"
        }
        return own + "\(indent)ProxyPass \"/\" \(q(balancerName + "/"))\n\(indent)ProxyPassReverse \"/\" \(q(balancerName + "/"))\n"
    }

    func proxy() -> String { balancer() + pass() }
}
