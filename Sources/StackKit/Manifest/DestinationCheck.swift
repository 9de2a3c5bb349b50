/// Two destinations of one manifest on one machine must be two stacks apart: their own units
/// and programs (the name), their own files and lock (the base) and their own ports. Unless
/// they are the same stack (same name, same base): then they share on purpose.
struct DestinationCheck {
    /// Another stack the same manifest makes: the bare manifest (`label` nil) or a destination.
    struct Sibling {
        var label: String?
        var file: String
        var manifest: Manifest
        var title: String { label.map { "destination '\($0)'" } ?? "the manifest alone" }
    }

    let manifest: Manifest

    func clashes(with others: [Sibling]) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let topology = Topology(manifest)
        for other in others {
            let theirs = Topology(other.manifest)
            let sameStack = other.manifest.name == manifest.name && other.manifest.base == manifest.base
            for host in topology.activeHosts {
                guard !sameStack, let twin = theirs.activeHosts.first(where: { Self.machine($0) == Self.machine(host) }) else { continue }
                let alias = twin.name == host.name ? "" : " (its '\(twin.name)')"
                let whereText = "on host '\(host.name)'\(alias) by \(other.title) (\(other.file))"
                if other.manifest.name == manifest.name {
                    found.append(fail("name", "stack name '\(manifest.name)' is also used \(whereText): units and programs would be shared",
                                      hint: "give each destination its own name, or leave name out of the overlay to get NAME-DESTINATION"))
                }
                if other.manifest.base == manifest.base {
                    found.append(fail("base", "base '\(manifest.base)' is also used \(whereText): files and the lock would be shared",
                                      hint: "give each destination its own base, or leave base out to get /srv/stackctl/NAME"))
                }
                found += dataClashes(on: host.name, with: other, twin: twin.name, whereText)
                let mine = ManifestValidator.listeners(manifest, topology, on: host)
                let used = ManifestValidator.listeners(other.manifest, theirs, on: twin)
                for l in mine {
                    guard let them = used.first(where: { $0.port == l.port && ManifestValidator.overlaps($0.address, l.address) }) else { continue }
                    found.append(fail(l.path, "port \(l.port) (\(l.what)) is also used \(whereText) for \(them.what)",
                                      hint: "give each destination on a host its own ports"))
                }
                break
            }
        }
        return found
    }

    /// A data directory written by both: staging's app would write into production's data.
    func dataClashes(on host: String, with other: Sibling, twin: String, _ whereText: String) -> [Diagnostic] {
        let theirs = Set(other.manifest.pools.filter { $0.hosts.contains(twin) }.flatMap(\.data).map(\.path))
        return manifest.pools.filter { $0.hosts.contains(host) }.flatMap { pool in
            pool.data.filter { theirs.contains($0.path) }.map { data in
                fail("pools.\(pool.name).data.\(data.name)", "data directory '\(data.path)' is also used \(whereText): one's app would write the other's data",
                     hint: "give each destination its own path, or leave path out to get BASE/data/POOL/NAME")
            }
        }
    }

    func fail(_ path: String, _ message: String, hint: String) -> Diagnostic {
        Diagnostic(mark: manifest.mark(path), path: path, message: message, hint: hint)
    }

    /// Where ssh lands: two host entries naming one machine the same way are one machine.
    static func machine(_ host: Host) -> String {
        host.local ? "local" : "\(host.sshUser ?? "")@\(host.destination):\(host.sshPort ?? 22)"
    }
}
