import Foundation

extension ManifestDecoder {
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
        guard let p = r.object(node, path, ManifestShape.pool, hints: ["hosts": "the hosts this pool's workers run on"]) else { return nil }
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
            if let text = r.string(paste, "\(path).paste", rule: .paste) {
                let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                pool.entry = .paste(path: parts[0], name: parts.count == 2 ? parts[1] : "main")
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
                    pool.source = ReleaseSource(path: normalized, ref: p.string("ref"))
                }
            }
            pool.baseInterpreter = p.string("python") ?? pool.baseInterpreter
            let current = "\(base)/pools/\(name)/current"
            pool.directory = current
            pool.virtualenv = current + "/venv"
            pool.python = current + "/venv/bin/python"
            pool.releaseCommand = p.string("release_command")
            pool.releaseTimeout = p.duration("release_command_timeout") ?? pool.releaseTimeout
        } else {
            if let ref = p["ref"] { r.fail(ref.mark, "\(path).ref", "'ref' needs 'source'") }
            if let hook = p["release_command"] {
                r.fail(hook.mark, "\(path).release_command", "'release_command' runs in a new release: it needs 'source'")
            }
            if let timeout = p["release_command_timeout"] {
                r.fail(timeout.mark, "\(path).release_command_timeout", "'release_command_timeout' bounds a release_command: it needs 'source'")
            }
            r.require(p.nodes, "directory", in: path, at: node.mark, hint: "the application's working directory, or 'source' to ship releases")
            pool.directory = p.string("directory").map(Self.trimSlash) ?? pool.directory
            if p["python"] != nil && p["virtualenv"] != nil {
                r.fail(p["virtualenv"]!.mark, "\(path).virtualenv", "give either 'python' or 'virtualenv', not both")
            }
            pool.python = p.string("python") ?? pool.python
            if let venv = p.string("virtualenv").map(Self.trimSlash) {
                pool.virtualenv = venv
                pool.python = venv + "/bin/python"
            }
        }
        if case .paste(let file, let app) = pool.entry, !file.hasPrefix("/") {
            pool.entry = .paste(path: releaseFile(file, of: pool, p["paste"]!, path), name: app)
        }
        pool.keepReleases = p.int("keep_releases") ?? pool.keepReleases
        pool.drainTimeout = p.duration("drain_timeout") ?? pool.drainTimeout
        if let env = p["env"] { decodeEnv(env, "\(path).env", into: &pool) }
        if let data = p["data"] { decodeData(data, "\(path).data", into: &pool, base: base) }
        // Without a user or group named, the pool gets its own account (made on its hosts), so
        // its secrets and code are out of the middle server's reach.
        let own = Pool.ownAccount(stack: stack, pool: name)
        pool.user = p.string("user") ?? own
        pool.group = p.string("group") ?? own
        pool.ownUser = p["user"] == nil
        pool.ownGroup = p["group"] == nil
        pool.server = decodeServer(p, path)
        pool.hosts = hostList(p["hosts"], "\(path).hosts")
        pool.instances = p.int("instances") ?? pool.instances
        pool.socket = p.choice("socket", SocketKind.self) ?? pool.socket
        pool.gateway = p.choice("protocol", Gateway.self) ?? pool.gateway
        pool.port = p.int("port") ?? defaultPort
        pool.health = decodeHealth(p["health"], "\(path).health", defaultPath: "/")
        return pool
    }

    func decodeServer(_ p: ShapedFields, _ path: String) -> FlupServer {
        let kind = p.choice("server", ServerKind.self) ?? (p["prefork"] != nil ? .prefork : .threaded)
        let other = kind == .threaded ? "prefork" : "threaded"
        if let wrong = p[other] {
            r.fail(wrong.mark, "\(path).\(other)", "settings for '\(other)' given, but the server is '\(kind.rawValue)'")
        }
        switch kind {
        case .threaded:
            let sub = "\(path).threaded"
            let f = r.object(p["threaded"], sub, ManifestShape.threaded)
            let minSpare = f.int("min_spare") ?? 1
            let maxSpare = f.int("max_spare") ?? max(5, minSpare)
            let maxThreads = f.int("max_threads")
            if maxSpare < minSpare, let m = f["max_spare"] { r.fail(m.mark, "\(sub).max_spare", "max_spare \(maxSpare) is below min_spare \(minSpare)") }
            if let maxThreads, maxThreads < maxSpare, let m = f["max_threads"] {
                r.fail(m.mark, "\(sub).max_threads", "max_threads \(maxThreads) is below max_spare \(maxSpare)")
            }
            return .threaded(minSpare: minSpare, maxSpare: maxSpare, maxThreads: maxThreads)
        case .prefork:
            let sub = "\(path).prefork"
            let f = r.object(p["prefork"], sub, ManifestShape.prefork)
            let minSpare = f.int("min_spare") ?? 1
            let maxSpare = f.int("max_spare") ?? max(5, minSpare)
            let maxChildren = f.int("max_children") ?? max(50, maxSpare)
            let maxRequests = f.int("max_requests") ?? 0
            if maxSpare < minSpare, let m = f["max_spare"] { r.fail(m.mark, "\(sub).max_spare", "max_spare \(maxSpare) is below min_spare \(minSpare)") }
            if maxChildren < maxSpare, let m = f["max_children"] {
                r.fail(m.mark, "\(sub).max_children", "max_children \(maxChildren) is below max_spare \(maxSpare)")
            }
            return .prefork(minSpare: minSpare, maxSpare: maxSpare, maxChildren: maxChildren, maxRequests: maxRequests)
        }
    }

    /// A relative `paste:` file: the release's own (under `current`), which must be in `source`
    /// (as it is now; a `ref` is read when the release is built).
    func releaseFile(_ file: String, of pool: Pool, _ node: Node, _ path: String) -> String {
        guard let source = pool.source else {
            r.fail(node.mark, "\(path).paste", "a relative Paste Deploy file '\(file)' is in a release: it needs 'source'",
                   hint: "give 'source', or the file's absolute path on the hosts")
            return file
        }
        let local = ValueRule.normalisedPath(source.path + "/" + file)
        if checkSources && source.ref == nil && !FileManager.default.fileExists(atPath: local) {
            r.fail(node.mark, "\(path).paste", "no file '\(file)' in source '\(source.path)'")
        }
        return pool.directory + ValueRule.normalisedPath(file)
    }
}
