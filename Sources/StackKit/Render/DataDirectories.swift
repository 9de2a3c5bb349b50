/// Where each pool's data directories are on a host, and who may do what in them.
struct DataDirectories {
    let topology: Topology

    /// The pools' data directories on `host` (and their parents under BASE/data): each the
    /// pool's user's and group's at its mode; one the router serves is the router's group's
    /// with the setgid bit, so the router reads what the app writes (never writes: the group
    /// has no w). On every host of the pool: a router on another host reads it through shared
    /// storage mounted at the same path.
    func specs(on host: String, pools: [Pool]? = nil) -> [DirectorySpec] {
        let t = topology
        var dirs: [DirectorySpec] = []
        for pool in (pools ?? t.manifest.pools) where pool.hosts.contains(host) {
            for data in pool.data {
                if data.path == DataDirectory.defaultPath(base: t.base, pool: pool.name, name: data.name) {
                    dirs.append(DirectorySpec(path: "\(t.base)/data"))
                    dirs.append(DirectorySpec(path: "\(t.base)/data/\(pool.name)"))
                }
                let served = t.manifest.serves(data, of: pool)
                dirs.append(DirectorySpec(path: data.path, owner: pool.user, group: served ? t.routerGroup : pool.group,
                                          mode: served ? data.mode | 0o2000 : data.mode))
            }
        }
        return dirs
    }
}
