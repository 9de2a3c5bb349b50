import Foundation
@testable import StackKit

/// Random valid manifests, as YAML text: every key, both middle servers, both process
/// managers, IPv4 and IPv6, unix and TCP sockets, 1-8 pools over 1-12 hosts. Every path lies
/// under `root`, so the renders can be written out and checked by the real servers here.
/// The same seed always gives the same manifest.
struct ManifestGenerator {
    var rng: FuzzTests.SplitMix
    let root: String
    var lines: [String] = []
    /// The first pool's `media` data directory is served by an alias.
    var servesData = false
    var firstPool: String?

    init(seed: UInt64, root: String) {
        rng = FuzzTests.SplitMix(state: seed)
        self.root = root
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &rng)! }
    mutating func subset<T>(_ items: [T], _ count: ClosedRange<Int>) -> [T] {
        Array(items.shuffled(using: &rng).prefix(int(count.lowerBound...min(count.upperBound, items.count))))
    }

    /// A name as `ValueRule.name` takes it: mostly short, sometimes the longest allowed.
    mutating func name(_ taken: Set<String>, max: Int = 64) -> String {
        let first = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let rest = first + Array("_-")
        while true {
            let length = chance(0.1) ? max : int(1...min(12, max))
            let text = String(pick(first)) + String((1..<length).map { _ in pick(rest) })
            if !taken.contains(where: { $0.lowercased() == text.lowercased() }) { return text }
        }
    }

    static let openFileLimit: Int = {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(min(limit.rlim_max, 1 << 20))
    }()

    mutating func key(_ indent: Int, _ text: String) { lines.append(String(repeating: "  ", count: indent) + text) }
    mutating func duration() -> String { pick(["10", "2.5", "10s", "500ms", "1", "30", "1m"]) }

    struct HostInfo {
        var name: String
        var manager: ProcessManager
    }

    mutating func manifest() -> String {
        lines = ["# generated"]
        let stack = name([], max: 40)
        key(0, "name: \(stack)")
        // A short base keeps every unix socket path under sun_path's 107 bytes.
        key(0, "base: \(root)/b\(int(0...99))" + (chance(0.2) ? "/" : ""))
        let defaultManager = pick(ProcessManager.allCases)
        if chance(0.7) { key(0, "process_manager: \(defaultManager.rawValue)") }
        // True would make a bare run refuse: the lab deploys these without a destination.
        if chance(0.1) { key(0, "require_destination: false") }
        let hosts = hostsSection(defaultManager)
        let names = hosts.map(\.name)
        let fronts = subset(names, 1...3), middles = subset(names, 1...3)
        // `front` and `middle` are the tiers' program names under supervisord: the validator refuses them.
        // Now and then no middle tier: the front serves the static files and routes itself.
        // Apache takes unix socket paths of at most 95 bytes: shorter pool names then.
        let direct = chance(0.2)
        var poolNames: [String] = []
        for _ in 0..<int(1...8) { poolNames.append(name(Set(poolNames + ["front", "middle"]), max: direct ? 50 : 64)) }
        firstPool = poolNames.first
        servesData = false
        frontSection(fronts)
        if direct {
            _ = serving(pools: poolNames)
        } else {
            middleSection(middles, pools: poolNames)
        }
        poolsSection(poolNames, hosts: names, middles: direct ? fronts : middles)
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func hostsSection(_ defaultManager: ProcessManager) -> [HostInfo] {
        key(0, "hosts:")
        var hosts: [HostInfo] = [], taken = Set<String>(), addresses = Set<String>()
        let local = chance(0.3) ? int(0...11) : -1
        for i in 0..<int(1...12) {
            let hostName = name(taken)
            taken.insert(hostName)
            key(1, "\(hostName):")
            if i == local {
                key(2, "local: true")
                addresses.insert("127.0.0.1")
            } else {
                var address = ""
                // IPv6 is ::1, the one IPv6 address every machine has: `nginx -t` binds its listen
                // addresses, so they must exist where the checks run. IPv4 spans 127.0.0.0/8.
                repeat {
                    address = chance(0.3) ? "::1" : "127.\(int(0...255)).\(int(0...255)).\(int(2...254))"
                } while !addresses.insert(address).inserted
                key(2, "address: \"\(address)\"")
                if chance(0.2) { key(2, "local: false") }
                if chance(0.3) { key(2, "ssh: \(pick(["web-\(i)", "ops@bastion.example.test", "deploy@[::1]", "h\(i).internal"]))") }
            }
            if chance(0.2) { key(2, "user: \(pick(["deploy", "root", "ops_1"]))") }
            if chance(0.2) { key(2, "port: \(int(1...65535))") }
            var manager = defaultManager
            if chance(0.4) {
                manager = pick(ProcessManager.allCases)
                key(2, "process_manager: \(manager.rawValue)")
            }
            hosts.append(HostInfo(name: hostName, manager: manager))
        }
        return hosts
    }

    mutating func healthKeys(_ indent: Int, path: String) {
        key(indent, "health:")
        if chance(0.7) { key(indent + 1, "path: \(path)") }
        key(indent + 1, "timeout: \(duration())")
        if chance(0.5) { key(indent + 1, "slow: \(pick(["250ms", "0.3", "0.4s"]))") }
        if chance(0.3) { key(indent + 1, "host: \(pick(["www.example.com", "127.0.0.1", "app.internal"]))") }
    }

    mutating func frontSection(_ hosts: [String]) {
        key(0, "front:")
        key(1, "hosts: [\(hosts.joined(separator: ", "))]")
        if chance(0.3) { key(1, "address: \"\(pick(["0.0.0.0", "::"]))\"") }
        let port = chance(0.7) ? pick([80, 443, int(1024...4999)]) : 80
        if port != 80 || chance(0.5) { key(1, "port: \(port)") }
        var acme = false
        if chance(0.25) {
            key(1, "tls:")
            if chance(0.3) {
                // mod_md's: apache2 -t takes a TLS host without certificate files for a managed domain.
                acme = true
                key(2, "acme:")
                key(3, "email: \(pick(["ops@example.com", "a.b+c@mail.example.org"]))")
                if chance(0.5) { key(3, "directory: \(pick(["https://127.0.0.1:14000/dir", "https://acme-staging-v02.api.letsencrypt.org/directory"]))") }
                if chance(0.4) { key(3, "renew_window: \(pick(["30d", "33%", "1900d"]))") }
                if chance(0.3) { key(3, "wait: \(int(5...900))") }
            } else {
                // Paths on the host: the checks put a real certificate and key there.
                key(2, "certificate_path: \(root)/tls/cert.pem")
                key(2, "key_path: \(root)/tls/key.pem")
            }
            if chance(0.5) { key(2, "port: \(port == 443 ? 8443 : 443)") } else if port == 443 { key(2, "port: 8443") }
            if chance(0.4) { key(2, "redirect: \(pick(["true", "false"]))") }
            if chance(0.4) { key(2, "hsts: \(pick([0, 300, 63072000]))") }
            if chance(0.4) { key(2, "http2: \(pick(["true", "false"]))") }
        }
        if chance(0.3) {
            let allow = (0..<int(1...3)).map { _ in pick(["10.0.0.0/8", "192.168.1.7", "\"2001:db8::/32\"", "127.0.0.99/32"]) }
            key(1, "maintenance: { allow: [\(Array(Set(allow)).sorted().joined(separator: ", "))]\(chance(0.5) ? ", error_pages: errors" : "") }")
        }
        if acme {
            // ACME names DNS names: no wildcard, no address.
            let names = (0..<int(1...3)).map { i in "n\(i)." + serverName().filter { $0 != "*" && $0 != "\"" }.split(separator: ".").filter { !$0.isEmpty }.joined(separator: "-") + ".example.com" }
            key(1, "server_names: [\(names.joined(separator: ", "))]")
        } else if chance(0.7) {
            let names = (0..<int(1...4)).map { _ in serverName() }
            key(1, "server_names: [\(names.joined(separator: ", "))]")
        }
        if chance(0.3) { key(1, "user: \(pick(["www-data", "nobody", "daemon"]))") }
        if chance(0.3) { key(1, "group: \(pick(["www-data", "nogroup", "daemon"]))") }
        if chance(0.3) { key(1, "scheme: \(pick(["http", "https"]))") }
        if chance(0.3) { key(1, "timeout: \(int(1...3600))") }
        if chance(0.3) { key(1, "retry: \(int(0...3600))") }
        if chance(0.3) { key(1, "connect_timeout: \(int(1...60))") }
        if chance(0.3) { key(1, "balance: \(pick(Balance.front).rawValue)") }
        if chance(0.5) { healthKeys(1, path: pick(["/", "/health", "/ping?full=1"])) }
    }

    mutating func serverName() -> String {
        let labels = (0..<int(1...4)).map { _ in String((0..<int(1...10)).map { _ in pick(Array("abcdefghijklmnopqrstuvwxyz0123456789")) }) }
        let plain = labels.joined(separator: ".")
        switch int(0...5) {
        case 0: return "\"*.\(plain)\""
        case 1: return "\(plain).example.com"
        case 2: return "\"\(labels[0]).*\""
        default: return plain
        }
    }

    mutating func middleSection(_ hosts: [String], pools: [String]) {
        key(0, "middle:")
        let server = pick(MiddleServer.allCases)
        key(1, "server: \(server.rawValue)")
        key(1, "hosts: [\(hosts.joined(separator: ", "))]")
        if chance(0.3) { key(1, "address: \"\(pick(["0.0.0.0", "::"]))\"") }
        if chance(0.7) { key(1, "port: \(int(5000...8999))") }
        // lighttpd will not run as root; nginx will (its workers still drop to the account).
        if chance(0.3) { key(1, "user: \(pick(server == .nginx ? ["www-data", "nobody", "root"] : ["www-data", "nobody"]))") }
        if chance(0.3) { key(1, "group: \(pick(["www-data", "nogroup"]))") }
        // Up to what this machine's open-file limit gives a server (2 per connection): beyond
        // it lighttpd -tt fails here, as the deploy's own open-files check would on a host.
        let most = min(65536, (Self.openFileLimit - 64) / 2)
        if chance(0.5) { key(1, "max_connections: \(pick([16, 1024, int(16...most), most]))") }
        if chance(0.3) { key(1, "connect_timeout: \(int(1...60))") }
        if chance(0.3) { key(1, "retry: \(int(1...3600))") }
        if chance(0.3) { key(1, "balance: \(pick(Balance.middle).rawValue)") }
        let (aliases, rootPool) = serving(pools: pools)
        if chance(0.6) {
            key(1, "health:")
            if let alias = aliases.first, chance(0.7) { key(2, "static: \(alias)style.css") }
            else if rootPool == nil, chance(0.5) { key(2, "static: /robots.txt") }
            if chance(0.7) { key(2, "app: /app-0/health") }
            key(2, "timeout: \(duration())")
            if chance(0.5) { key(2, "slow: 300ms") }
            if chance(0.3) { key(2, "host: www.example.com") }
        }
    }

    /// `static`, `mime_types` and `routes`: the middle's, or the front's without a middle.
    mutating func serving(pools: [String]) -> (aliases: [String], rootPool: String?) {
        key(1, "static:")
        // Spelled with `.`, `//` and a trailing `/` now and then: the validator normalises them.
        key(2, "root: \(pick(["\(root)/static", "\(root)//static/", "\(root)/./static", "\(root)/s/\(int(1...9))"]))")
        var aliases: [String] = []
        if chance(0.6) {
            if chance(0.2) { key(2, "keep_releases: \(int(2...100))") }
            key(2, "aliases:")
            for (i, url) in subset(["/static", "/media/", "/assets/v2", "/favicon-dir", "/_s"], 1...3).enumerated() {
                if chance(0.2) {
                    key(3, "\(url): { source: ./assets\(i)\(chance(0.3) ? ", ref: main" : "") }")
                } else {
                    key(3, "\(url): \(root)/alias\(i)" + (chance(0.5) ? "/" : ""))
                }
                aliases.append(url.hasSuffix("/") ? url : url + "/")
            }
            if let first = firstPool, chance(0.3) {
                key(3, "/uploads/: { data: \(first)/media }")
                servesData = true
            }
        }
        if chance(0.6) {
            key(1, "mime_types:")
            let builtIn = MimeTypes.table.map(\.ext)
            // Now and then every type that carries a charset loses it, which empties nginx's charset list.
            let charset = MimeTypes.table.filter { $0.type.contains("charset") }.map(\.ext)
            // An extension once only, as the validator takes it: `css`, `.css` and `CSS` are one.
            var seen: Set<String> = []
            let picked = chance(0.1) ? charset : subset(builtIn + ["foo", "x-y", ".dotted", "tar.gz", "CSS"], 1...6)
            for ext in picked where seen.insert(ext.lowercased().trimmingPrefix(".").description).inserted {
                key(2, "\"\(ext)\": \(pick(["text/plain", "application/x-thing", "image/svg+xml", "text/css", "application/octet-stream"]))")
            }
        }
        key(1, "routes:")
        let rootPool = chance(0.5) ? pick(pools) : nil
        for pool in pools {
            if pool == rootPool { key(2, "/: \(pool)") }
            if pool != rootPool || chance(0.3) { key(2, "/app-\(pools.firstIndex(of: pool)!)\(chance(0.3) ? "/" : ""): \(pool)") }
        }
        return (aliases, rootPool)
    }

    /// The first pool's data directories: `media` (served or not), now and then a second one.
    mutating func dataSection() {
        guard servesData || chance(0.3) else { return }
        key(2, "data:")
        key(3, servesData || chance(0.5) ? "media: {}" : "media: { mode: \"0700\" }")
        if chance(0.5) { key(3, "db: { path: \(root)/db, mode: \(pick(["\"0750\"", "770", "0700"])), env: DATABASE_DIR }") }
    }

    mutating func poolsSection(_ pools: [String], hosts: [String], middles: [String]) {
        key(0, "pools:")
        for (index, pool) in pools.enumerated() {
            defer { if index == 0 { dataSection() } }
            key(1, "\(pool):")
            if chance(0.2) {
                key(2, "paste: \(root)/code\(index)/app.ini" + (chance(0.5) ? "#main" : ""))
            } else {
                key(2, "wsgi: \(pick(["app:application", "pkg.wsgi:app", "site_1.web:make_app"]))")
            }
            if chance(0.25) {
                key(2, "source: ./src\(index)")
                if chance(0.3) { key(2, "ref: \(pick(["main", "v1.2", "HEAD~1"]))") }
                if chance(0.5) { key(2, "keep_releases: \(int(2...100))") }
                if chance(0.5) { key(2, "drain_timeout: \(duration())") }
                if chance(0.3) { key(2, "python: /usr/bin/python3") }
                if chance(0.5) { key(2, "release_command: \(pick(["python manage.py migrate --noinput", "./bin/migrate && echo 'done; ok'"]))") }
                if chance(0.3) { key(2, "release_command_timeout: \(pick(["20m", "90s"]))") }
            } else {
                key(2, "directory: \(root)/code\(index)" + (chance(0.3) ? "/" : ""))
                switch int(0...2) {
                case 0: key(2, "python: /usr/bin/python3")
                case 1: key(2, "virtualenv: \(root)/venv\(index)")
                default: break
                }
            }
            if chance(0.5) {
                key(2, "env:")
                for i in 0..<int(1...3) {
                    let value = pick(["plain", "with space", "quote\\\"s and 'single'", "dollar $HOME ${x}", "semi;colon{}", "üñí©ødé", "percent %s %n"])
                    key(3, "VAR_\(i): \"\(value)\"")
                }
            }
            if chance(0.3) { key(2, "protocol: \(pick(Gateway.allCases).rawValue)") }
            // Not nobody/nogroup: systemd refuses them for a unit, and the validator says so.
            if chance(0.3) { key(2, "user: \(pick(["www-data", "daemon"]))") }
            if chance(0.3) { key(2, "group: \(pick(["www-data", "daemon"]))") }
            let poolHosts = subset(hosts, 1...4)
            let children: Int
            if chance(0.4) {
                key(2, "server: prefork")
                let minSpare = int(1...4), maxSpare = minSpare + int(0...4)
                children = maxSpare + int(0...8)
                key(2, "prefork: { min_spare: \(minSpare), max_spare: \(maxSpare), max_children: \(children), max_requests: \(int(0...1000)) }")
            } else {
                children = 1
                if chance(0.5) { key(2, "server: threaded") }
                if chance(0.5) {
                    let minSpare = int(1...4), maxSpare = minSpare + int(0...4)
                    key(2, "threaded: { min_spare: \(minSpare), max_spare: \(maxSpare)" + (chance(0.5) ? ", max_threads: \(maxSpare + int(0...50))" : "") + " }")
                }
            }
            // At most 1024 worker processes per host: 8 pools of at most 128 each.
            let instances = max(1, min(int(1...64), 128 / children))
            key(2, "instances: \(instances)")
            key(2, "hosts: [\(poolHosts.joined(separator: ", "))]")
            let unixAllowed = middles.count == 1 && poolHosts == middles
            key(2, "socket: \(unixAllowed ? pick(["unix", "auto", "tcp"]) : pick(["auto", "tcp"]))")
            if chance(0.4) { key(2, "port: \(10000 + 100 * index)") }
            if chance(0.4) { healthKeys(2, path: pick(["/", "/health", "/app/ping?x=1"])) }
        }
    }
}
