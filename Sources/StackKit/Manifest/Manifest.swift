/// The typed, validated form of deploy.yml. Every value carries its default;
/// `ManifestDecoder` fills it from YAML and `ManifestValidator` checks it as a whole.
public struct Manifest: Sendable, Equatable {
    public var name: String
    /// Directory on every host under which stackctl keeps this stack's files.
    public var base: String
    public var hosts: [Host]
    public var front: Front
    public var middle: Middle
    public var pools: [Pool]
    /// Where each named value was written, for diagnostics after decoding.
    public var marks: [String: Mark] = [:]
    /// Host lists are kept without repeats; this maps each kept entry to its index as written.
    public var listIndices: [String: [Int]] = [:]
    /// The destination whose overlay was laid over the manifest (`-d NAME`), if any.
    public var destination: String?
    /// The manifest's file and the overlay's, when a destination was read (`Mark.file` indexes it).
    public var files: [String] = []

    public init(name: String, base: String, hosts: [Host], front: Front, middle: Middle, pools: [Pool]) {
        self.name = name
        self.base = base
        self.hosts = hosts
        self.front = front
        self.middle = middle
        self.pools = pools
    }

    public func host(named name: String) -> Host? { hosts.first { $0.name == name } }

    /// The key path of entry `i` of a host list, counted as the user wrote the list.
    public func itemPath(_ list: String, _ i: Int) -> String {
        let indices = listIndices[list] ?? []
        return "\(list)[\(i < indices.count ? indices[i] : i)]"
    }
    public func pool(named name: String) -> Pool? { pools.first { $0.name == name } }

    /// Where `path` was written, or its nearest written parent (defaults have no position of their own).
    public func mark(_ path: String) -> Mark {
        var key = path
        while true {
            if let m = marks[key] { return m }
            if key.isEmpty { return Mark(line: 1, column: 1) }
            if key.hasSuffix("]"), let open = key.lastIndex(of: "[") {
                key = String(key[..<open])
            } else if let dot = key.lastIndex(of: ".") {
                key = String(key[..<dot])
            } else {
                key = ""
            }
        }
    }
}

public enum ProcessManager: String, Sendable, CaseIterable {
    case systemd, supervisord
}

public struct Host: Sendable, Equatable {
    /// What ssh connects to: `ssh:` if given, else the address.
    public var destination: String { sshDestination ?? address }

    public var name: String
    /// SSH target and the address the other tiers use to reach this host. `127.0.0.1` for local hosts.
    public var address: String
    /// What ssh is handed to reach the host (an alias of the ssh config, a host, `user@host`);
    /// nil: the address. The other tiers always use `address`.
    public var sshDestination: String?
    public var sshUser: String?
    public var sshPort: Int?
    public var local: Bool
    public var processManager: ProcessManager

    public init(name: String, address: String, sshDestination: String? = nil, sshUser: String? = nil, sshPort: Int? = nil, local: Bool = false,
                processManager: ProcessManager = .systemd) {
        self.name = name
        self.address = address
        self.sshDestination = sshDestination
        self.sshUser = sshUser
        self.sshPort = sshPort
        self.local = local
        self.processManager = processManager
    }
}

/// A health probe: the path to ask, how long a tier may take to become healthy, and the answer
/// time over which a healthy instance counts as slow (degraded).
public struct HealthCheck: Sendable, Equatable {
    public var path: String
    public var timeout: Double
    public var slow: Double
    /// The site name the probes send (`health.host`); nil: the front's first server name.
    public var host: String? = nil

    public init(path: String = "/", timeout: Double = 30, slow: Double = 1, host: String? = nil) {
        self.path = path
        self.timeout = timeout
        self.slow = slow
        self.host = host
    }
}

public struct Front: Sendable, Equatable {
    public var hosts: [String] = []
    /// Listen address; `nil` means the host's own address.
    public var address: String? = nil
    public var port: Int = 80
    public var serverNames: [String] = []
    public var user: String = "www-data"
    public var group: String = "www-data"
    /// Value of X-Forwarded-Proto sent to the middle tier (`https` when TLS ends before Apache).
    public var scheme: String = "http"
    /// Seconds Apache waits for the middle tier to answer.
    public var timeout: Int = 60
    /// Seconds a middle host that refused or stayed silent stays out of the balancer.
    public var retry: Int = 10
    /// Seconds Apache waits for a connection to a middle host before failing over to another.
    public var connectTimeout: Int = 2
    /// How the balancer spreads requests over several middle hosts.
    public var balance: Balance = .roundRobin
    public var health = HealthCheck()
    /// HTTPS on `tls.port`; nil serves plain HTTP only.
    public var tls: FrontTLS? = nil
    /// `stackctl maintenance` at the front: who still reaches the app while it is on.
    public var maintenance = MaintenanceSettings()

    public init() {}
}

public enum MiddleServer: String, Sendable, CaseIterable {
    case lighttpd, nginx
}

public struct Route: Sendable, Equatable {
    /// `/` for a root mount, otherwise `/name` without a trailing slash.
    public var prefix: String
    public var pool: String

    public init(prefix: String, pool: String) {
        self.prefix = prefix
        self.pool = pool
    }

    public var isRoot: Bool { prefix == "/" }
}

public struct StaticAlias: Sendable, Equatable {
    /// URL prefix, always ending in `/`.
    public var url: String
    /// Directory, always ending in `/`.
    public var directory: String
    /// `POOL/NAME` when the alias serves a pool's data directory (`{data: POOL/NAME}`).
    public var data: String? = nil

    public init(url: String, directory: String, data: String? = nil) {
        self.url = url
        self.directory = directory
        self.data = data
    }
}

public struct Middle: Sendable, Equatable {
    /// No middle tier: the front's Apache serves the static files itself and speaks FastCGI
    /// to the pools (the manifest's `front.static` and `front.routes`, kept here; `hosts` is
    /// empty, and the front's connect timeout, retry and balance apply to the workers).
    public var byFront = false
    public var server: MiddleServer = .nginx
    public var hosts: [String] = []
    public var address: String? = nil
    public var port: Int = 8000
    public var user: String = "www-data"
    public var group: String = "www-data"
    /// The dedicated static document root: served for URLs no route claims.
    public var staticRoot: String = ""
    public var aliases: [StaticAlias] = []
    /// Extra or overriding entries for the built-in mime table, by extension without dot.
    public var mimeTypes: [String: String] = [:]
    public var routes: [Route] = []
    /// nginx worker processes / lighttpd max connections are sized from this.
    public var maxConnections: Int = 1024
    /// Static directories shipped from a local `source` as releases (the root's or aliases').
    public var shipped: [ShippedStatic] = []
    /// Releases of each shipped static directory kept on each middle host.
    public var staticKeepReleases = 5
    public var staticHealth = HealthCheck(path: "", timeout: 30)
    public var appHealth = HealthCheck(path: "", timeout: 30)
    /// Seconds the server waits for a connection to a worker before passing the request on.
    public var connectTimeout: Int = 2
    /// Seconds a worker that failed (refused, or silent past `connectTimeout`) stays out. 20,
    /// not nginx's own 10: lighttpd tries each left-out worker again on its own timer, and every
    /// try holds the requests round robin sends it for a connect timeout; at 10 s a worker host
    /// silent for 22 s cost lighttpd 30-51% of its throughput, at 20 s one stall fits in it.
    public var retry: Int = 20
    /// How the server spreads requests over a pool's workers.
    public var balance: Balance = .roundRobin

    public init() {}

    /// The static root when the manifest names none: an empty directory stackctl makes.
    public static func emptyRoot(base: String) -> String { "\(base)/empty" }
}

public struct ReleaseSource: Sendable, Equatable {
    /// Absolute local path of the code.
    public var path: String
    /// A git ref in `path`, shipped with `git archive`; nil ships the directory as it is.
    public var ref: String?

    public init(path: String, ref: String? = nil) {
        self.path = path
        self.ref = ref
    }
}
