/// Names and accounts that the manifest's rules allow but a real server or process manager
/// would refuse, or silently drop.
extension ManifestValidator {
    /// Accounts the servers refuse to run as: Apache and lighttpd will not serve as root, and
    /// `systemd-analyze verify` fails a unit that runs as `nobody` ("this is not safe!").
    mutating func checkAccounts() {
        let front = manifest.front, middle = manifest.middle
        if front.user == "root" || front.user == "0" {
            fail("front.user", "Apache refuses to serve as root", hint: "use an unprivileged account such as www-data; Apache starts as root and drops to it")
        }
        if middle.server == .lighttpd {
            for (key, value) in [("user", middle.user), ("group", middle.group)] where value == "root" || value == "0" {
                fail("middle.\(key)", "lighttpd refuses to run with \(key) root", hint: "use an unprivileged account such as www-data")
            }
        }
        for pool in manifest.pools {
            let systemdHosts = pool.hosts.filter { manifest.host(named: $0)?.processManager == .systemd }
            guard let host = systemdHosts.first else { continue }
            for (key, value, special) in [("user", pool.user, ["nobody"]), ("group", pool.group, ["nogroup", "nobody"])] where special.contains(value) {
                fail("pools.\(pool.name).\(key)", "systemd refuses \(key) '\(value)' for a unit (host '\(host)'): it is shared by unrelated services",
                     hint: "give the pool an account of its own")
            }
        }
        for pool in manifest.pools { checkPoolAccount(pool) }
    }

    static func isNumeric(_ account: String) -> Bool { !account.isEmpty && account.allSatisfy(\.isNumber) }

    /// A pool with secrets must not share the account of the server that talks to it (the
    /// middle's, or the front's without a middle tier), which could then read them.
    mutating func checkPoolAccount(_ pool: Pool) {
        let path = "pools.\(pool.name)"
        guard let key = pool.secretKeys.first else { return }
        let direct = manifest.middle.byFront
        let (user, group) = direct ? (manifest.front.user, manifest.front.group) : (manifest.middle.user, manifest.middle.group)
        let server = direct ? "the front's" : "the middle server's"
        for (what, value, shared) in [("user", pool.user, user), ("group", pool.group, group)] {
            if value == shared || (Self.isNumeric(value) && Self.isNumeric(shared) && Int(value) == Int(shared)) {
                fail("\(path).\(what)", "pool '\(pool.name)' has secrets (env \(key)) but shares \(server) \(what) '\(value)', which could read them",
                     hint: "leave '\(what)' out to give the pool its own account, or name one of its own")
            } else if Self.isNumeric(value) != Self.isNumeric(shared) {
                // An id and a name may be one account: only the host knows (www-data is 33 on Debian).
                fail("\(path).\(what)", "pool '\(pool.name)' has secrets (env \(key)), "
                     + "and its \(what) '\(value)' cannot be told apart from \(server) \(what) '\(shared)'",
                     hint: "give both by name (or both by number), so stackctl can check they differ")
            }
        }
    }

    /// Under supervisord each pool is a group named STACK-POOL and the middle and front are
    /// programs (so groups) STACK-middle and STACK-front: a clash makes supervisord keep one and
    /// drop the other without a word.
    mutating func checkProgramNames() {
        let t = Topology(manifest)
        for host in manifest.hosts where host.processManager == .supervisord {
            var owners: [String: String] = [:]
            if manifest.middle.hosts.contains(host.name) { owners[t.middleUnit] = "the middle server" }
            if manifest.front.hosts.contains(host.name) { owners[t.frontUnit] = "the front" }
            for pool in manifest.pools where pool.hosts.contains(host.name) {
                let name = t.poolUnit(pool.name)
                if let other = owners[name] {
                    fail("pools.\(pool.name)", "pool '\(pool.name)' would be supervisord's '\(name)' on host '\(host.name)', which is \(other)'s name",
                         hint: "rename the pool")
                }
                owners[name] = "pool '\(pool.name)'"
            }
        }
    }

    /// nginx compares upstream names without case, as a case-insensitive file system would
    /// compare `render`'s host directories: names may not differ by case alone.
    mutating func checkNameCase() {
        for (section, names) in [("hosts", manifest.hosts.map(\.name)), ("pools", manifest.pools.map(\.name))] {
            var first: [String: String] = [:]
            for name in names {
                let key = name.lowercased()
                guard let other = first[key] else { first[key] = name; continue }
                if other != name {
                    fail("\(section).\(name)", "'\(name)' and '\(other)' differ only in case", hint: "nginx and some file systems would take them for one name")
                }
            }
        }
    }
}
