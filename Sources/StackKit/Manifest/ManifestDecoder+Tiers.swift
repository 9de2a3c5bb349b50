import Foundation

extension ManifestDecoder {
    /// The front, and its fields: without a middle tier they hold what the front serves.
    func decodeFront(_ node: Node) -> (Front, ShapedFields?) {
        var front = Front()
        guard let f = r.object(node, "front", ManifestShape.front) else { return (front, nil) }
        front.hosts = hostList(f["hosts"], "front.hosts")
        front.address = f.string("address")
        front.port = f.int("port") ?? front.port
        for (name, mark, i) in f.strings("server_names") ?? [] {
            // nginx compares names without case and warns about a repeat, which its check fails.
            if front.serverNames.contains(where: { $0.lowercased() == name.lowercased() }) {
                r.fail(mark, "front.server_names[\(i)]", "server name '\(name)' is listed twice")
            } else {
                front.serverNames.append(name)
            }
        }
        front.user = f.string("user") ?? front.user
        front.group = f.string("group") ?? front.group
        front.scheme = f.string("scheme") ?? front.scheme
        front.timeout = f.int("timeout") ?? front.timeout
        front.retry = f.int("retry") ?? front.retry
        front.connectTimeout = f.int("connect_timeout") ?? front.connectTimeout
        front.balance = balance(f["balance"], "front.balance", among: Balance.front, server: "Apache") ?? front.balance
        front.health = decodeHealth(f["health"], "front.health", defaultPath: "/")
        front.tls = f["tls"].flatMap(decodeTLS)
        if let node = f["maintenance"], let m = r.object(node, "front.maintenance", ManifestShape.maintenance) {
            front.maintenance.allow = (m.strings("allow") ?? []).map { $0.text }
            if let node = m.nodes["error_pages"], let (dir, mark) = r.scalar(node, "front.maintenance.error_pages") {
                let path = localPath(dir)
                if checkSources && !FileManager.default.isReadableFile(atPath: path + "/503.html") {
                    r.fail(mark, "front.maintenance.error_pages", "no readable 503.html in '\(path)'")
                }
                front.maintenance.errorPages = path
            }
        }
        return (front, f)
    }

    func decodeMiddle(_ node: Node, base: String) -> Middle {
        var middle = Middle()
        guard let m = r.object(node, "middle", ManifestShape.middle) else { return middle }
        middle.server = m.choice("server", MiddleServer.self) ?? middle.server
        middle.hosts = hostList(m["hosts"], "middle.hosts")
        middle.address = m.string("address")
        middle.port = m.int("port") ?? middle.port
        middle.user = m.string("user") ?? middle.user
        middle.group = m.string("group") ?? middle.group
        middle.maxConnections = m.int("max_connections") ?? middle.maxConnections
        middle.connectTimeout = m.int("connect_timeout") ?? middle.connectTimeout
        middle.retry = m.int("retry") ?? middle.retry
        middle.balance = balance(m["balance"], "middle.balance", among: Balance.middle, server: middle.server.rawValue) ?? middle.balance
        decodeServing(m, section: "middle", base: base, into: &middle)
        if let h = m["health"], let fields = r.object(h, "middle.health", ManifestShape.middleHealth) {
            let timeout = fields.duration("timeout") ?? middle.staticHealth.timeout
            let slow = slowThreshold(fields["slow"], "middle.health.slow", timeout: timeout)
            let host = fields.string("host")
            middle.staticHealth = HealthCheck(path: fields.string("static") ?? "", timeout: timeout, slow: slow, host: host)
            middle.appHealth = HealthCheck(path: fields.string("app") ?? "", timeout: timeout, slow: slow, host: host)
        }
        return middle
    }

    /// What the router serves: `static`, `mime_types` and `routes`, under `middle`, or under
    /// `front` in a stack without a middle tier (`section` names which, for key paths).
    func decodeServing(_ m: ShapedFields, section: String, base: String, into middle: inout Middle) {
        if m["static"] == nil { middle.staticRoot = Middle.emptyRoot(base: base) }
        if let s = m["static"], let fields = r.object(s, "\(section).static", ManifestShape.staticFiles,
            hints: ["root": "a directory that holds only static files"]) {
            if let root = fields["root"], case .mapping = root {
                if let shipped = decodeShipped(root, "\(section).static.root", name: "root") {
                    middle.shipped.append(shipped)
                    middle.staticRoot = ShippedStatic.current(base: base, name: "root")
                }
            } else if fields["root"] == nil {
                middle.staticRoot = Middle.emptyRoot(base: base)
            } else {
                middle.staticRoot = r.string(fields["root"], "\(section).static.root", rule: .path).map(Self.trimSlash) ?? ""
            }
            if let aliases = fields["aliases"] { middle.aliases = decodeAliases(aliases, section: section, base: base, shipped: &middle.shipped) }
            middle.staticKeepReleases = fields.int("keep_releases") ?? middle.staticKeepReleases
        }
        if let types = m["mime_types"] {
            var written: [String: String] = [:]
            for (ext, keyMark, value) in r.entries(types, "\(section).mime_types") {
                let path = "\(section).mime_types.\(ext)"
                let bare = ext.hasPrefix(".") ? String(ext.dropFirst()) : ext
                if let problem = ValueRule.extensionName.problem(in: bare) {
                    r.fail(keyMark, path, problem.message, hint: problem.hint)
                } else if let first = written[bare.lowercased()] {
                    // `.css` and `css` (or `CSS`) are one extension: the last would silently win.
                    r.fail(keyMark, path, "extension '\(ext)' is given twice: '\(first)' names it too", hint: "keep one of them")
                } else if let type = r.string(value, path, rule: .mimeType) {
                    written[bare.lowercased()] = ext
                    middle.mimeTypes[bare.lowercased()] = type
                }
            }
        }
        if let routes = m["routes"] { middle.routes = decodeRoutes(routes, section: section) }
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
        guard let f = r.object(node, path, ManifestShape.shipped, hints: ["source": "a local directory of static files to ship"]) else { return nil }
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
        return ShippedStatic(key: path, name: name, source: ReleaseSource(path: normalized, ref: f.string("ref")))
    }

    func decodeAliases(_ node: Node, section: String, base: String, shipped: inout [ShippedStatic]) -> [StaticAlias] {
        var aliases: [StaticAlias] = []
        for (url, keyMark, value) in r.entries(node, "\(section).static.aliases") {
            let path = "\(section).static.aliases.\(url)"
            if let problem = ValueRule.urlPrefix.problem(in: url) {
                r.fail(keyMark, path, problem.message, hint: problem.hint)
                continue
            }
            if url == "/" {
                r.fail(keyMark, path, "a static alias cannot be '/'", hint: "use \(section).static.root for files served at the top level")
                continue
            }
            if case .mapping(let pairs, _) = value, pairs.contains(where: { $0.key.scalarText == "data" }) {
                guard let f = r.object(value, path, ManifestShape.servedData), let reference = f.string("data") else { continue }
                aliases.append(StaticAlias(url: url.hasSuffix("/") ? url : url + "/", directory: "", data: reference))
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

    func decodeRoutes(_ node: Node, section: String) -> [Route] {
        var routes: [Route] = []
        let entries = r.entries(node, "\(section).routes")
        for (prefix, keyMark, value) in entries {
            let path = "\(section).routes.\(prefix)"
            if let problem = ValueRule.urlPrefix.problem(in: prefix) {
                r.fail(keyMark, path, problem.message, hint: problem.hint)
                continue
            }
            guard let pool = r.string(value, path, rule: .name) else { continue }
            routes.append(Route(prefix: Self.trimSlash(prefix), pool: pool))
            r.marks["route:\(Self.trimSlash(prefix))"] = keyMark
        }
        if entries.isEmpty, case .mapping = node { r.fail(node.mark, "\(section).routes", "define at least one route", hint: "for example '/: main'") }
        return routes
    }
}
