import Foundation

extension ManifestDecoder {
    static let frontKeys = ["hosts", "address", "port", "server_names", "user", "group", "scheme", "timeout", "connect_timeout", "retry", "balance", "health", "tls"]

    func decodeFront(_ node: Node) -> Front {
        var front = Front()
        guard let f = r.mapping(node, "front", known: Self.frontKeys) else { return front }
        r.require(f, "hosts", in: "front", at: node.mark)
        front.hosts = hostList(f["hosts"], "front.hosts")
        front.address = r.string(f["address"], "front.address", rule: .address)
        front.port = r.int(f["port"], "front.port", in: 1...65535) ?? front.port
        for (name, mark, i) in r.strings(f["server_names"], "front.server_names", rule: .serverName) ?? [] {
            // nginx compares names without case and warns about a repeat, which its check fails.
            if front.serverNames.contains(where: { $0.lowercased() == name.lowercased() }) {
                r.fail(mark, "front.server_names[\(i)]", "server name '\(name)' is listed twice")
            } else {
                front.serverNames.append(name)
            }
        }
        front.user = r.string(f["user"], "front.user", rule: .account) ?? front.user
        front.group = r.string(f["group"], "front.group", rule: .account) ?? front.group
        front.scheme = r.string(f["scheme"], "front.scheme", rule: .scheme) ?? front.scheme
        front.timeout = r.int(f["timeout"], "front.timeout", in: 1...3600) ?? front.timeout
        front.retry = r.int(f["retry"], "front.retry", in: 0...3600) ?? front.retry
        front.connectTimeout = r.int(f["connect_timeout"], "front.connect_timeout", in: 1...60) ?? front.connectTimeout
        front.balance = balance(f["balance"], "front.balance", among: Balance.front, server: "Apache") ?? front.balance
        front.health = decodeHealth(f["health"], "front.health", defaultPath: "/")
        front.tls = f["tls"].flatMap(decodeTLS)
        return front
    }

    static let middleKeys = ["server", "hosts", "address", "port", "user", "group", "static", "mime_types", "routes", "max_connections", "connect_timeout", "retry", "balance", "health"]
    static let staticKeys = ["root", "aliases", "keep_releases"]
    static let shippedKeys = ["source", "ref"]
    static let middleHealthKeys = ["static", "app", "timeout", "slow"]

    func decodeMiddle(_ node: Node, base: String) -> Middle {
        var middle = Middle()
        guard let m = r.mapping(node, "middle", known: Self.middleKeys) else { return middle }
        for key in ["server", "hosts", "static", "routes"] {
            r.require(m, key, in: "middle", at: node.mark)
        }
        middle.server = r.choice(m["server"], "middle.server", MiddleServer.self) ?? middle.server
        middle.hosts = hostList(m["hosts"], "middle.hosts")
        middle.address = r.string(m["address"], "middle.address", rule: .address)
        middle.port = r.int(m["port"], "middle.port", in: 1...65535) ?? middle.port
        middle.user = r.string(m["user"], "middle.user", rule: .account) ?? middle.user
        middle.group = r.string(m["group"], "middle.group", rule: .account) ?? middle.group
        middle.maxConnections = r.int(m["max_connections"], "middle.max_connections", in: 16...65536) ?? middle.maxConnections
        middle.connectTimeout = r.int(m["connect_timeout"], "middle.connect_timeout", in: 1...60) ?? middle.connectTimeout
        middle.retry = r.int(m["retry"], "middle.retry", in: 1...3600) ?? middle.retry
        middle.balance = balance(m["balance"], "middle.balance", among: Balance.middle, server: middle.server.rawValue) ?? middle.balance
        if let s = m["static"], let fields = r.mapping(s, "middle.static", known: Self.staticKeys) {
            r.require(fields, "root", in: "middle.static", at: s.mark, hint: "a directory that holds only static files")
            if let root = fields["root"], case .mapping = root {
                if let shipped = decodeShipped(root, "middle.static.root", name: "root") {
                    middle.shipped.append(shipped)
                    middle.staticRoot = ShippedStatic.current(base: base, name: "root")
                }
            } else {
                middle.staticRoot = r.string(fields["root"], "middle.static.root", rule: .path).map(Self.trimSlash) ?? ""
            }
            if let aliases = fields["aliases"] { middle.aliases = decodeAliases(aliases, base: base, shipped: &middle.shipped) }
            middle.staticKeepReleases = r.int(fields["keep_releases"], "middle.static.keep_releases", in: 2...100) ?? middle.staticKeepReleases
        }
        if let types = m["mime_types"] {
            for (ext, keyMark, value) in r.entries(types, "middle.mime_types") {
                let path = "middle.mime_types.\(ext)"
                let bare = ext.hasPrefix(".") ? String(ext.dropFirst()) : ext
                if let problem = ValueRule.extensionName.problem(in: bare) {
                    r.fail(keyMark, path, problem.message, hint: problem.hint)
                } else if let type = r.string(value, path, rule: .mimeType) {
                    middle.mimeTypes[bare.lowercased()] = type
                }
            }
        }
        if let routes = m["routes"] { middle.routes = decodeRoutes(routes) }
        if let h = m["health"], let fields = r.mapping(h, "middle.health", known: Self.middleHealthKeys) {
            let timeout = r.duration(fields["timeout"], "middle.health.timeout") ?? middle.staticHealth.timeout
            let slow = slowThreshold(fields["slow"], "middle.health.slow", timeout: timeout)
            middle.staticHealth = HealthCheck(path: r.string(fields["static"], "middle.health.static", rule: .urlPath) ?? "", timeout: timeout, slow: slow)
            middle.appHealth = HealthCheck(path: r.string(fields["app"], "middle.health.app", rule: .urlPath) ?? "", timeout: timeout, slow: slow)
        }
        return middle
    }

    /// A balancing method, one of those the tier's server offers.
    func balance(_ node: Node?, _ path: String, among offered: [Balance], server: String) -> Balance? {
        guard let value = r.choice(node, path, Balance.self) else { return nil }
        guard offered.contains(value) else {
            r.fail(node!.mark, path, "\(server) does not balance by '\(value.rawValue)'", hint: "one of: \(offered.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    static func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// `{ source: DIR, ref: REF }`: a static directory shipped as releases.
    func decodeShipped(_ node: Node, _ path: String, name: String) -> ShippedStatic? {
        guard let f = r.mapping(node, path, known: Self.shippedKeys) else { return nil }
        r.require(f, "source", in: path, at: node.mark, hint: "a local directory of static files to ship")
        guard let (text, mark) = r.scalar(f["source"], "\(path).source") else { return nil }
        let normalized = localPath(text)
        if let problem = ValueRule.path.problem(in: normalized) {
            r.fail(mark, "\(path).source", problem.message, hint: problem.hint)
            return nil
        }
        if checkSources && !isDirectory(normalized) {
            r.fail(mark, "\(path).source", "no directory at '\(normalized)'")
            return nil
        }
        return ShippedStatic(key: path, name: name, source: ReleaseSource(path: normalized, ref: r.string(f["ref"], "\(path).ref", rule: .gitRef)))
    }

    func decodeAliases(_ node: Node, base: String, shipped: inout [ShippedStatic]) -> [StaticAlias] {
        var aliases: [StaticAlias] = []
        for (url, keyMark, value) in r.entries(node, "middle.static.aliases") {
            let path = "middle.static.aliases.\(url)"
            if let problem = ValueRule.urlPrefix.problem(in: url) {
                r.fail(keyMark, path, problem.message, hint: problem.hint)
                continue
            }
            if url == "/" {
                r.fail(keyMark, path, "a static alias cannot be '/'", hint: "use middle.static.root for files served at the top level")
                continue
            }
            if case .mapping = value {
                let name = ShippedStatic.name(forAlias: url)
                guard let ship = decodeShipped(value, path, name: name) else { continue }
                shipped.append(ship)
                aliases.append(StaticAlias(url: url.hasSuffix("/") ? url : url + "/", directory: ShippedStatic.current(base: base, name: name) + "/"))
                continue
            }
            guard let dir = r.string(value, path, rule: .path) else { continue }
            aliases.append(StaticAlias(url: url.hasSuffix("/") ? url : url + "/", directory: dir.hasSuffix("/") ? dir : dir + "/"))
        }
        return aliases
    }

    func decodeRoutes(_ node: Node) -> [Route] {
        var routes: [Route] = []
        let entries = r.entries(node, "middle.routes")
        for (prefix, keyMark, value) in entries {
            let path = "middle.routes.\(prefix)"
            if let problem = ValueRule.urlPrefix.problem(in: prefix) {
                r.fail(keyMark, path, problem.message, hint: problem.hint)
                continue
            }
            guard let pool = r.string(value, path, rule: .name) else { continue }
            routes.append(Route(prefix: Self.trimSlash(prefix), pool: pool))
            r.marks["route:\(Self.trimSlash(prefix))"] = keyMark
        }
        if entries.isEmpty, case .mapping = node { r.fail(node.mark, "middle.routes", "define at least one route", hint: "for example '/: main'") }
        return routes
    }
}
