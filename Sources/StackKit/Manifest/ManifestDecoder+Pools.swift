import Foundation

extension ManifestDecoder {
    static let poolKeys = ["wsgi", "paste", "directory", "python", "virtualenv", "env", "user", "group", "server",
                           "threaded", "prefork", "instances", "hosts", "socket", "port", "health",
                           "source", "ref", "keep_releases", "drain_timeout", "release_command"]
    static let threadedKeys = ["min_spare", "max_spare", "max_threads"]
    static let preforkKeys = ["min_spare", "max_spare", "max_children", "max_requests"]

    enum ServerKind: String, CaseIterable { case threaded, prefork }

    func decodePools(_ node: Node, stack: String, base: String) -> [Pool] {
        let entries = r.entries(node, "pools")
        if entries.isEmpty, case .mapping = node { r.fail(node.mark, "pools", "define at least one pool") }
        return entries.enumerated().compactMap { index, entry in
            let (name, keyMark, value) = entry
            if let problem = ValueRule.name.problem(in: name) {
                r.fail(keyMark, "pools.\(name)", problem.message, hint: problem.hint)
                return nil
            }
            return decodePool(name, value, defaultPort: 9000 + 100 * index, stack: stack, base: base)
        }
    }

    /// Pools get distinct default ports (9000, 9100, ...) so two TCP pools never clash by default.
    func decodePool(_ name: String, _ node: Node, defaultPort: Int, stack: String, base: String) -> Pool? {
        let path = "pools.\(name)"
        guard let p = r.mapping(node, path, known: Self.poolKeys) else { return nil }
        var pool = Pool(name: name, entry: .callable(module: "app", attribute: "application"), directory: "")

        switch (p["wsgi"], p["paste"]) {
        case (nil, nil) where !r.suggested.contains("\(path).wsgi") && !r.suggested.contains("\(path).paste"):
            r.fail(node.mark, "\(path).wsgi", "pool '\(name)' needs 'wsgi: module:callable' or 'paste: /path/to/app.ini'")
        case (nil, nil):
            break
        case (.some, .some):
            r.fail(p["paste"]!.mark, "\(path).paste", "give either 'wsgi' or 'paste', not both")
        case (let wsgi?, nil):
            if let text = r.string(wsgi, "\(path).wsgi", rule: .wsgi) {
                let parts = text.split(separator: ":")
                pool.entry = .callable(module: String(parts[0]), attribute: String(parts[1]))
            }
        case (nil, let paste?):
            // `file.ini` or `file.ini#appname`, as Paste Deploy writes it.
            if let (text, mark) = r.scalar(paste, "\(path).paste") {
                let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let appName = parts.count == 2 ? parts[1] : "main"
                if let problem = ValueRule.path.problem(in: parts[0]) ?? ValueRule.name.problem(in: appName) {
                    r.fail(mark, "\(path).paste", problem.message, hint: problem.hint)
                } else {
                    pool.entry = .paste(path: parts[0], name: appName)
                }
            }
        }
        if let sourceNode = p["source"] {
            // Releases: the code and its virtualenv live under the pool's directory on each host.
            for key in ["directory", "virtualenv"] where p[key] != nil {
                r.fail(p[key]!.mark, "\(path).\(key)", "'\(key)' comes from the release when 'source' is given; leave it out")
            }
            if let (text, mark) = r.scalar(sourceNode, "\(path).source") {
                let normalized = localPath(text)
                var isDir: ObjCBool = false
                if let problem = ValueRule.path.problem(in: normalized) {
                    r.fail(mark, "\(path).source", problem.message, hint: problem.hint)
                } else if checkSources && !(FileManager.default.fileExists(atPath: normalized, isDirectory: &isDir) && isDir.boolValue) {
                    r.fail(mark, "\(path).source", "no directory at '\(normalized)'")
                } else {
                    pool.source = ReleaseSource(path: normalized, ref: r.string(p["ref"], "\(path).ref", rule: .gitRef))
                }
            }
            pool.baseInterpreter = r.string(p["python"], "\(path).python", rule: .path) ?? pool.baseInterpreter
            let current = "\(base)/pools/\(name)/current"
            pool.directory = current
            pool.virtualenv = current + "/venv"
            pool.python = current + "/venv/bin/python"
            pool.releaseCommand = r.string(p["release_command"], "\(path).release_command", rule: .command)
        } else {
            if let ref = p["ref"] { r.fail(ref.mark, "\(path).ref", "'ref' needs 'source'") }
            if let hook = p["release_command"] {
                r.fail(hook.mark, "\(path).release_command", "'release_command' runs in a new release: it needs 'source'")
            }
            r.require(p, "directory", in: path, at: node.mark, hint: "the application's working directory, or 'source' to ship releases")
            pool.directory = r.string(p["directory"], "\(path).directory", rule: .path).map(Self.trimSlash) ?? pool.directory
            if p["python"] != nil && p["virtualenv"] != nil {
                r.fail(p["virtualenv"]!.mark, "\(path).virtualenv", "give either 'python' or 'virtualenv', not both")
            }
            pool.python = r.string(p["python"], "\(path).python", rule: .path) ?? pool.python
            if let venv = r.string(p["virtualenv"], "\(path).virtualenv", rule: .path).map(Self.trimSlash) {
                pool.virtualenv = venv
                pool.python = venv + "/bin/python"
            }
        }
        pool.keepReleases = r.int(p["keep_releases"], "\(path).keep_releases", in: 2...100) ?? pool.keepReleases
        pool.drainTimeout = r.duration(p["drain_timeout"], "\(path).drain_timeout") ?? pool.drainTimeout
        if let env = p["env"] { decodeEnv(env, "\(path).env", into: &pool) }
        // Without a user or group named, the pool gets its own account (made on its hosts), so
        // its secrets and code are out of the middle server's reach.
        let own = Pool.ownAccount(stack: stack, pool: name)
        pool.user = r.string(p["user"], "\(path).user", rule: .account) ?? own
        pool.group = r.string(p["group"], "\(path).group", rule: .account) ?? own
        pool.ownUser = p["user"] == nil
        pool.ownGroup = p["group"] == nil
        pool.server = decodeServer(p, path)
        r.require(p, "hosts", in: path, at: node.mark, hint: "the hosts this pool's workers run on")
        pool.hosts = hostList(p["hosts"], "\(path).hosts")
        pool.instances = r.int(p["instances"], "\(path).instances", in: 1...64) ?? pool.instances
        pool.socket = r.choice(p["socket"], "\(path).socket", SocketKind.self) ?? pool.socket
        pool.port = r.int(p["port"], "\(path).port", in: 1...65535) ?? defaultPort
        pool.health = decodeHealth(p["health"], "\(path).health", defaultPath: "/")
        return pool
    }

    func decodeServer(_ p: [String: Node], _ path: String) -> FlupServer {
        let kind = r.choice(p["server"], "\(path).server", ServerKind.self) ?? (p["prefork"] != nil ? .prefork : .threaded)
        let other = kind == .threaded ? "prefork" : "threaded"
        if let wrong = p[other] {
            r.fail(wrong.mark, "\(path).\(other)", "settings for '\(other)' given, but the server is '\(kind.rawValue)'")
        }
        switch kind {
        case .threaded:
            let sub = "\(path).threaded"
            let f = p["threaded"].flatMap { r.mapping($0, sub, known: Self.threadedKeys) } ?? [:]
            let minSpare = r.int(f["min_spare"], "\(sub).min_spare", in: 1...256) ?? 1
            let maxSpare = r.int(f["max_spare"], "\(sub).max_spare", in: 1...256) ?? max(5, minSpare)
            let maxThreads = r.int(f["max_threads"], "\(sub).max_threads", in: 1...4096)
            if maxSpare < minSpare, let m = f["max_spare"] { r.fail(m.mark, "\(sub).max_spare", "max_spare \(maxSpare) is below min_spare \(minSpare)") }
            if let maxThreads, maxThreads < maxSpare, let m = f["max_threads"] {
                r.fail(m.mark, "\(sub).max_threads", "max_threads \(maxThreads) is below max_spare \(maxSpare)")
            }
            return .threaded(minSpare: minSpare, maxSpare: maxSpare, maxThreads: maxThreads)
        case .prefork:
            let sub = "\(path).prefork"
            let f = p["prefork"].flatMap { r.mapping($0, sub, known: Self.preforkKeys) } ?? [:]
            let minSpare = r.int(f["min_spare"], "\(sub).min_spare", in: 1...256) ?? 1
            let maxSpare = r.int(f["max_spare"], "\(sub).max_spare", in: 1...256) ?? max(5, minSpare)
            let maxChildren = r.int(f["max_children"], "\(sub).max_children", in: 1...512) ?? max(50, maxSpare)
            let maxRequests = r.int(f["max_requests"], "\(sub).max_requests", in: 0...1_000_000) ?? 0
            if maxSpare < minSpare, let m = f["max_spare"] { r.fail(m.mark, "\(sub).max_spare", "max_spare \(maxSpare) is below min_spare \(minSpare)") }
            if maxChildren < maxSpare, let m = f["max_children"] {
                r.fail(m.mark, "\(sub).max_children", "max_children \(maxChildren) is below max_spare \(maxSpare)")
            }
            return .prefork(minSpare: minSpare, maxSpare: maxSpare, maxChildren: maxChildren, maxRequests: maxRequests)
        }
    }
}
