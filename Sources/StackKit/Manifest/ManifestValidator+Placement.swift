extension ManifestValidator {
    /// Unix sockets only work on the middle server's own host; sun_path holds 107 bytes.
    mutating func checkSockets() {
        let topology = Topology(manifest)
        // stackctl's own socket too, not only the workers'.
        let own = topology.supervisorSocketPath
        if manifest.hosts.contains(where: { $0.processManager == .supervisord }), own.utf8.count > 107 {
            fail("base", "supervisord's socket '\(own)' is \(own.utf8.count) bytes; unix sockets allow at most 107", hint: "shorten base")
        }
        for pool in manifest.pools {
            let path = "pools.\(pool.name).socket"
            if pool.socket == .unix {
                // An unknown host is reported once, as unknown; its socket is moot.
                for host in pool.hosts where topology.routerHosts != [host] && manifest.host(named: host) != nil {
                    let others = topology.routerHosts.filter { $0 != host }
                    fail(path, "a unix socket on host '\(host)' cannot be reached from \(topology.direct ? "front" : "middle") host '\(others.first ?? "?")'",
                         hint: "use 'socket: tcp' or 'auto' for pools on other hosts")
                    break
                }
            }
            // Apache keeps a balancer member's socket path in 96 bytes with its NUL (measured on
            // 2.4: 95 passes `apache2 -t`, 96 is "uds path too long"); the kernel's limit is 107.
            let limit = topology.direct ? 95 : 107, who = topology.direct ? "Apache takes unix socket paths of" : "unix sockets allow"
            // Every host's: with `auto`, only the router's own host uses a unix socket.
            for worker in topology.workers(of: pool) {
                if case .unix(let socket) = worker.endpoint, socket.utf8.count > limit {
                    fail("base", "socket path '\(socket)' is \(socket.utf8.count) bytes; \(who) at most \(limit)", hint: "shorten base")
                    return
                }
            }
        }
    }

    struct Listener {
        var address: String
        var port: Int
        var what: String
        var path: String
    }

    /// Every address and port the stack listens on at `host`, with the key that sets it.
    static func listeners(_ manifest: Manifest, _ topology: Topology, on host: Host) -> [Listener] {
        var listeners: [Listener] = []
        if manifest.front.hosts.contains(host.name) {
            listeners.append(Listener(address: topology.frontListenAddress(on: host.name), port: manifest.front.port, what: "the front",
                path: "front.port"))
            if let tls = manifest.front.tls {
                listeners.append(Listener(address: topology.frontListenAddress(on: host.name), port: tls.port,
                    what: "the front's HTTPS", path: "front.tls.port"))
            }
        }
        if manifest.middle.hosts.contains(host.name) {
            listeners.append(Listener(address: topology.middleListenAddress(on: host.name), port: manifest.middle.port,
                what: "the middle server", path: "middle.port"))
        }
        for pool in manifest.pools where pool.hosts.contains(host.name) && !topology.usesUnixSocket(pool: pool, host: host.name) {
            for i in 0..<pool.instances {
                listeners.append(Listener(address: host.address, port: pool.port + i, what: "pool '\(pool.name)' instance \(i)",
                    path: "pools.\(pool.name).port"))
            }
        }
        return listeners
    }

    mutating func checkPorts() {
        let topology = Topology(manifest)
        for host in manifest.hosts {
            let listeners = Self.listeners(manifest, topology, on: host)
            for (i, l) in listeners.enumerated() {
                guard let other = listeners[..<i].first(where: { $0.port == l.port && Self.overlaps($0.address, l.address) }) else { continue }
                if l.port > 65535 { continue }
                fail(l.path, "port \(l.port) on host '\(host.name)' is taken twice: by \(other.what) and by \(l.what)",
                     hint: "give each listener on a host its own port")
            }
            for l in listeners where l.port > 65535 {
                fail(l.path, "\(l.what) would listen on port \(l.port), beyond 65535")
            }
        }
    }

    static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || Topology.isWildcard(a) || Topology.isWildcard(b)
    }

    /// A host that would fork thousands of workers is a typo, not a plan.
    mutating func checkWorkerCounts() {
        let limit = 1024
        for host in manifest.hosts {
            var total = 0
            for pool in manifest.pools where pool.hosts.contains(host.name) {
                switch pool.server {
                case .prefork(_, _, let maxChildren, _): total += pool.instances * maxChildren
                case .threaded: total += pool.instances
                }
            }
            if total > limit, let pool = manifest.pools.last(where: { $0.hosts.contains(host.name) }) {
                fail("pools.\(pool.name).instances", "host '\(host.name)' would run up to \(total) worker processes; the limit is \(limit)",
                     hint: "lower instances or prefork.max_children")
            }
        }
    }
}
