extension ManifestDecoder {
    /// What a shipped static directory must not hold or share: another's directory on the
    /// hosts (two names that map to one), a pool's code, or a file a secret is read from.
    func checkShipped(_ middle: Middle, _ pools: [Pool]) {
        var owners: [String: String] = [:]
        for ship in middle.shipped {
            let mark = r.marks[ship.key + ".source"] ?? r.marks[ship.key] ?? Mark(line: 1, column: 1)
            let alias = ship.key.components(separatedBy: ".static.aliases.")
            let what = alias.count == 2 ? "static alias '\(alias[1])'" : "the static root"
            if let first = owners[ship.name] {
                r.fail(mark, ship.key, "\(what) ships to the same directory as \(first) (BASE/static/\(ship.name)): each release would replace the other's",
                       hint: "use URL prefixes that differ in more than '/' and '-'")
            } else {
                owners[ship.name] = what
            }
            let source = ship.source.path
            for pool in pools {
                guard let code = pool.source?.path, StaticExposure.within(code, source) else { continue }
                r.fail(mark, ship.key + ".source", "\(what) would ship the code of pool '\(pool.name)' (\(code)) as static files",
                       hint: "ship a directory that holds only static files, such as collectstatic's output")
            }
            for (key, file) in r.secretFiles where StaticExposure.within(file, source) {
                r.fail(mark, ship.key + ".source", "\(what) would ship '\(file)', which \(key) reads a secret from",
                       hint: "keep secret files out of the static directory")
            }
        }
    }
}
