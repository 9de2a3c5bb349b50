/// "A static directory never serves code or stackctl's own files", as containment of
/// normalised paths in both directions. The validator applies it to the paths as written; the
/// deploy applies it again to the paths each middle host resolves (symlinks followed).
public struct StaticExposure: Sendable, Equatable {
    /// A directory the middle server serves as files.
    public struct Served: Sendable, Equatable {
        /// The manifest key that names it, e.g. `middle.static.aliases./media`.
        public var key: String
        /// `static root` or `static alias '/media/' directory`.
        public var what: String
        public var path: String
        /// Shipped by stackctl under `BASE/static`: it lies inside base by design.
        public var shipped = false
        /// A pool's data directory, served on purpose (`{data: POOL/NAME}`).
        public var data = false
    }

    /// A directory that holds code, a pool's env or stackctl's own state.
    public struct Protected: Sendable, Equatable {
        /// `stackctl's directory for stack 'shop'`, `the code of pool 'main'`, ...
        public var what: String
        public var path: String
        /// A single file: only a served directory that holds it exposes it.
        public var isFile = false
    }

    public var served: Served
    public var protected: Protected
    /// The served directory holds the protected one (or is it); otherwise it lies inside it.
    public var contains: Bool

    public var message: String {
        contains
            ? "\(served.what) '\(served.path)' would serve \(protected.what) (\(protected.path))"
            : "\(served.what) '\(served.path)' lies inside \(protected.what) (\(protected.path))"
    }

    /// Every directory the middle tier serves, as the manifest names it.
    public static func served(_ manifest: Manifest) -> [Served] {
        let middle = manifest.middle
        let shipped = Set(middle.shipped.map { ShippedStatic.current(base: manifest.base, name: $0.name) })
        var result = [Served(key: "\(middle.routerSection).static.root", what: "static root", path: middle.staticRoot,
            shipped: shipped.contains(middle.staticRoot) || middle.staticRoot == Middle.emptyRoot(base: manifest.base))]
        for alias in middle.aliases {
            let dir = alias.directory == "/" ? "/" : String(alias.directory.dropLast())
            result.append(Served(key: "\(middle.routerSection).static.aliases.\(alias.url.dropLast())",
                what: "static alias '\(alias.url)' directory", path: dir,
                                 shipped: shipped.contains(dir), data: alias.data != nil))
        }
        return result.filter { !$0.path.isEmpty }
    }

    /// Every directory that stackctl owns on a host or that a pool runs from.
    public static func protected(_ manifest: Manifest) -> [Protected] {
        var result = [Protected(what: "stackctl's directory for stack '\(manifest.name)', which holds each pool's env", path: manifest.base)]
        for pool in manifest.pools {
            let code = pool.source == nil ? "the code of pool '\(pool.name)'" : "the releases of pool '\(pool.name)'"
            result.append(Protected(what: code, path: pool.source == nil ? pool.directory : "\(manifest.base)/pools/\(pool.name)"))
            if let venv = pool.virtualenv, pool.source == nil {
                result.append(Protected(what: "the virtualenv of pool '\(pool.name)'", path: venv))
            }
            if case .paste(let ini, _) = pool.entry {
                result.append(Protected(what: "the Paste Deploy file of pool '\(pool.name)'", path: ini, isFile: true))
            }
            for data in pool.data {
                result.append(Protected(what: "the data directory '\(data.name)' of pool '\(pool.name)'", path: data.path))
            }
        }
        return result.filter { $0.path.hasPrefix("/") }
    }

    /// Each pair that overlaps, given how paths resolve (identity for the manifest's own view).
    public static func find(_ manifest: Manifest, resolve: (String) -> String? = { $0 }) -> [StaticExposure] {
        var found: [StaticExposure] = []
        for served in served(manifest) {
            guard let s = resolve(served.path) else { continue }
            for protected in protected(manifest) {
                guard let p = resolve(protected.path) else { continue }
                var seen = served, held = protected
                seen.path = s
                held.path = p
                // A data alias serves its own directory, inside base by default (as shipped files are).
                let own = served.data && p == s
                if within(p, s) && !own {
                    found.append(StaticExposure(served: seen, protected: held, contains: true))
                } else if within(s, p) && !protected.isFile && !own && !((served.shipped || served.data) && protected.path == manifest.base) {
                    // Inside several (a release inside base): name only the innermost.
                    if let i = found.firstIndex(where: { !$0.contains && $0.served == seen }) {
                        if p.count > found[i].protected.path.count { found[i].protected = held }
                    } else {
                        found.append(StaticExposure(served: seen, protected: held, contains: false))
                    }
                }
            }
        }
        return found
    }

    /// `inner` is `outer` or lies below it. Both are normalised absolute paths.
    public static func within(_ inner: String, _ outer: String) -> Bool {
        outer == "/" || inner == outer || inner.hasPrefix(outer + "/")
    }
}
