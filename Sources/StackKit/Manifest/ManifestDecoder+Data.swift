extension ManifestDecoder {
    /// `data: { media: {}, db: { mode: "0700", env: DB_DIR } }`: each also an environment
    /// variable of the pool's, unless `env` already sets that variable.
    func decodeData(_ node: Node, _ path: String, into pool: inout Pool, base: String) {
        for (name, keyMark, value) in r.entries(node, path) {
            let keyPath = "\(path).\(name)"
            if let problem = ValueRule.name.problem(in: name) {
                r.fail(keyMark, keyPath, problem.message, hint: problem.hint)
                continue
            }
            // `media:` with nothing after it reads as `media: {}`.
            let fields = value.isNull ? nil : r.object(value, keyPath, ManifestShape.dataDirectory)
            if !value.isNull && fields == nil { continue }
            var data = DataDirectory(name: name, path: DataDirectory.defaultPath(base: base, pool: pool.name, name: name),
                                     variable: DataDirectory.variable(for: name))
            if let fields {
                data.path = fields.string("path").map(Self.trimSlash) ?? data.path
                data.variable = fields.string("env") ?? data.variable
                if let text = fields.string("mode"), let mode = Int(text, radix: 8) {
                    if mode & 0o700 != 0o700 || mode & 0o007 != 0 {
                        r.fail(fields["mode"]!.mark, "\(keyPath).mode", "mode \(text) must give the pool's user rwx and others nothing",
                               hint: "0750, or 0700 to keep the group out")
                    }
                    data.mode = mode
                }
            }
            if pool.environment.contains(where: { $0.0 == data.variable }) {
                r.fail(keyMark, keyPath, "its variable \(data.variable) is also set in \(path.dropLast(5)).env",
                       hint: "leave it out of env, or name another with 'env:'")
            } else if let twin = pool.data.first(where: { $0.variable == data.variable || $0.path == data.path }) {
                let shared = twin.path == data.path ? "path \(data.path)" : "variable \(data.variable)"
                r.fail(keyMark, keyPath, "its \(shared) is also data '\(twin.name)'")
            }
            pool.data.append(data)
            pool.environment.append((data.variable, data.path))
        }
    }

    /// Aliases that serve `{data: POOL/NAME}` get the directory's path, once the pools are read.
    /// The router reads it through its group, so the mode must give the group r-x.
    func resolveDataAliases(_ middle: inout Middle, _ pools: [Pool]) {
        let manifest = Manifest(name: "", base: "", hosts: [], front: Front(), middle: Middle(), pools: pools)
        for i in middle.aliases.indices {
            guard let reference = middle.aliases[i].data else { continue }
            let key = "\(middle.routerSection).static.aliases.\(middle.aliases[i].url.dropLast())"
            let written = [key + "/", key].first { r.marks[$0] != nil } ?? key
            let mark = r.marks[written + ".data"] ?? r.marks[written] ?? Mark(line: 1, column: 1)
            guard let (pool, data) = manifest.dataDirectory(reference) else {
                let known = pools.flatMap { p in p.data.map { "\(p.name)/\($0.name)" } }
                r.fail(mark, written + ".data", "no data directory '\(reference)'",
                       hint: known.isEmpty ? "give the pool a data directory: data: { media: {} }" : "known: \(known.joined(separator: ", "))")
                continue
            }
            middle.aliases[i].directory = data.path + "/"
            if data.mode & 0o050 != 0o050 {
                let modeKey = "pools.\(pool.name).data.\(data.name).mode"
                let mode = String(data.mode, radix: 8)
                r.fail(r.marks[modeKey] ?? mark, modeKey, "mode \(mode) keeps out the router, which serves it at \(middle.aliases[i].url)",
                       hint: "0750: the router's group may read, never write")
            }
        }
    }
}
