/// Checks that need the whole manifest: references between sections, placement, ports,
/// routes against static paths. Each problem points at the key that causes it.
struct ManifestValidator {
    let manifest: Manifest
    var diagnostics: [Diagnostic] = []

    init(_ manifest: Manifest) { self.manifest = manifest }

    mutating func fail(_ path: String, _ message: String, hint: String? = nil, at markKey: String? = nil) {
        // `mark` walks up to the nearest written key when this one was left to its default.
        diagnostics.append(Diagnostic(mark: manifest.mark(markKey ?? path), path: path, message: message, hint: hint))
    }

    mutating func validate() -> [Diagnostic] {
        checkHosts()
        checkHostReferences("front.hosts", manifest.front.hosts, what: "front")
        checkHostReferences("middle.hosts", manifest.middle.hosts, what: "middle")
        for pool in manifest.pools { checkHostReferences("pools.\(pool.name).hosts", pool.hosts, what: "pool '\(pool.name)'") }
        checkRoutes()
        checkStatic()
        checkSockets()
        checkPorts()
        checkWorkerCounts()
        checkAccounts()
        checkProgramNames()
        checkNameCase()
        checkACME()
        return diagnostics
    }

    mutating func checkHosts() {
        let locals = manifest.hosts.filter(\.local)
        for extra in locals.dropFirst() {
            fail("hosts.\(extra.name).local", "only one host can be local; '\(locals[0].name)' already is")
        }
        // One address is one machine: two hosts there would share ports the checks see apart.
        var first: [String: Host] = [:]
        for host in manifest.hosts {
            let key = host.address.lowercased()
            guard let other = first[key] else { first[key] = host; continue }
            if !(other.local && host.local) {
                fail("hosts.\(host.name).address", "hosts '\(other.name)' and '\(host.name)' have the same address '\(host.address)'",
                     hint: "one machine is one host; list it once and give it every tier it runs")
            }
        }
    }

    mutating func checkHostReferences(_ path: String, _ names: [String], what: String) {
        if names.isEmpty, manifest.marks[path] != nil {
            fail(path, "\(what) runs on no host", hint: "name at least one of: \(definedHosts)")
        }
        for (i, name) in names.enumerated() where manifest.host(named: name) == nil {
            let guess = Suggest.closest(to: name, in: manifest.hosts.map(\.name)).map { "did you mean '\($0)'? " } ?? ""
            fail(manifest.itemPath(path, i), "unknown host '\(name)'", hint: "\(guess)defined hosts: \(definedHosts)")
        }
    }

    var definedHosts: String { manifest.hosts.isEmpty ? "(none)" : manifest.hosts.map(\.name).joined(separator: ", ") }

    mutating func checkRoutes() {
        var claimed: [String: String] = [:]
        var guessed = Set<String>()
        for route in manifest.middle.routes {
            let path = "\(manifest.middle.routerSection).routes.\(route.prefix)"
            let markKey = "route:\(route.prefix)"
            if let first = claimed[route.prefix] {
                fail(path, "two routes claim the prefix '\(route.prefix)'",
                    hint: "already routed to pool '\(first)'; write each prefix once, without a trailing '/'", at: markKey)
            }
            claimed[route.prefix] = route.pool
            if manifest.pool(named: route.pool) == nil {
                let names = manifest.pools.map(\.name)
                let guess = Suggest.closest(to: route.pool, in: names)
                if let guess { guessed.insert(guess) }
                let hint = guess.map { "did you mean '\($0)'?" } ?? "defined pools: \(names.joined(separator: ", "))"
                fail(path, "unknown pool '\(route.pool)'", hint: hint, at: markKey)
            }
        }
        for pool in manifest.pools where !manifest.middle.routes.contains(where: { $0.pool == pool.name }) && !guessed.contains(pool.name) {
            fail("pools.\(pool.name)", "pool '\(pool.name)' has no route, so no request can reach it",
                 hint: "add a route under \(manifest.middle.routerSection).routes, e.g. '/\(pool.name): \(pool.name)'")
        }
    }

    mutating func checkStatic() {
        let middle = manifest.middle
        var seen = Set<String>()
        for alias in middle.aliases {
            let path = "\(middle.routerSection).static.aliases.\(alias.url.dropLast())"
            let key = manifest.marks[path] != nil ? path : "\(middle.routerSection).static.aliases.\(alias.url)"  // written with or without '/'
            if !seen.insert(alias.url).inserted { fail(key, "static alias '\(alias.url)' is given twice") }
            for route in middle.routes where (route.prefix + "/").hasPrefix(alias.url) {
                fail(key, "static alias '\(alias.url)' hides route '\(route.prefix)' (pool '\(route.pool)')",
                     hint: "static paths never reach an app; move the route or the alias")
            }
        }
        for exposure in StaticExposure.find(manifest) {
            fail(exposure.served.key, exposure.message, hint: "point it at a directory that holds only static files, apart from code and from 'base'")
        }
        let health = middle.staticHealth.path
        if !health.isEmpty, let route = routeFor(health), !isStatic(health) {
            fail("middle.health.static", "'\(health)' is routed to pool '\(route.pool)', not served as a static file")
        }
    }

    func isStatic(_ url: String) -> Bool { manifest.middle.aliases.contains { url.hasPrefix($0.url) } }

    func routeFor(_ url: String) -> Route? {
        let path = String(url.prefix { $0 != "?" })
        return manifest.middle.routes.filter { $0.isRoot || path == $0.prefix || path.hasPrefix($0.prefix + "/") }
            .max { $0.prefix.count < $1.prefix.count }
    }
}
