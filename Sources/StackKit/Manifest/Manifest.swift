import Crypto
import Foundation

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

    public init(path: String = "/", timeout: Double = 30, slow: Double = 1) {
        self.path = path
        self.timeout = timeout
        self.slow = slow
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
    /// Seconds a failed middle host stays out of the balancer.
    public var retry: Int = 5
    public var health = HealthCheck()
    /// HTTPS on `tls.port`; nil serves plain HTTP only.
    public var tls: FrontTLS? = nil

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

    public init(url: String, directory: String) {
        self.url = url
        self.directory = directory
    }
}

public struct Middle: Sendable, Equatable {
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

    public init() {}
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

public enum SocketKind: String, Sendable, CaseIterable {
    case auto, unix, tcp
}

public enum WSGIEntry: Sendable, Equatable {
    /// `module:callable`
    case callable(module: String, attribute: String)
    /// A Paste Deploy ini file, loaded with `paste.deploy.loadapp`.
    case paste(path: String, name: String)
}

public enum FlupServer: Sendable, Equatable {
    case threaded(minSpare: Int, maxSpare: Int, maxThreads: Int?)
    case prefork(minSpare: Int, maxSpare: Int, maxChildren: Int, maxRequests: Int)

    public var kindName: String {
        switch self {
        case .threaded: "threaded"
        case .prefork: "prefork"
        }
    }
}

public struct Pool: Sendable, Equatable {
    public var name: String
    public var entry: WSGIEntry
    public var directory: String
    /// The interpreter: `virtualenv/bin/python` when a virtualenv is named.
    public var python: String
    public var virtualenv: String?
    public var environment: [(String, String)]
    public var user: String
    public var group: String
    public var server: FlupServer
    public var instances: Int
    public var hosts: [String]
    public var socket: SocketKind
    /// First TCP port; instance i listens on `port + i`.
    public var port: Int
    public var health: HealthCheck
    /// Where releases come from: a local directory (its `ref` of git, if given). Nil: the code
    /// is already on the hosts at `directory`.
    public var source: ReleaseSource?
    /// The interpreter a release's virtualenv is built with.
    public var baseInterpreter: String = "/usr/bin/python3"
    public var keepReleases: Int = 5
    /// Seconds to wait for in-flight requests after a host is drained.
    public var drainTimeout: Double = 30
    /// A shell command run once per new release, in it and as the pool's user, before any
    /// host switches to it (migrations).
    public var releaseCommand: String?
    /// Keys of `environment` whose values are secrets: never printed, kept only in pool.json.
    public var secretKeys: [String] = []
    /// Secrets this command did not need and could not have (their value is empty): pool.json
    /// cannot be rendered as it is on the hosts.
    public var unresolvedSecrets: [String] = []
    /// The user and group are the pool's own (`STACK-POOL`), made by stackctl on its hosts.
    public var ownUser = false
    public var ownGroup = false

    /// The pool's own account name: `stack-pool` in lowercase, as useradd and systemd's strict
    /// rules take it (a leading `_` when it would start with a digit; over 31 characters, cut to
    /// 22 and a hash of the whole).
    public static func ownAccount(stack: String, pool: String) -> String {
        var name = "\(stack)-\(pool)".lowercased()
        if let first = name.first, !(first.isLetter || first == "_") { name = "_" + name }
        guard name.count > 31 else { return name }
        let hash = SHA256.hash(data: Array(name.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return name.prefix(22) + "-" + hash
    }

    /// The values of this pool's secrets.
    public var secretValues: [String] {
        environment.filter { secretKeys.contains($0.0) }.map(\.1)
    }

    public init(name: String, entry: WSGIEntry, directory: String, python: String = "/usr/bin/python3", virtualenv: String? = nil,
                environment: [(String, String)] = [], user: String = "www-data", group: String = "www-data",
                server: FlupServer = .threaded(minSpare: 1, maxSpare: 5, maxThreads: nil), instances: Int = 1,
                hosts: [String] = [], socket: SocketKind = .auto, port: Int = 9000, health: HealthCheck = HealthCheck()) {
        self.name = name
        self.entry = entry
        self.directory = directory
        self.python = python
        self.virtualenv = virtualenv
        self.environment = environment
        self.user = user
        self.group = group
        self.server = server
        self.instances = instances
        self.hosts = hosts
        self.socket = socket
        self.port = port
        self.health = health
    }

    public static func == (a: Pool, b: Pool) -> Bool {
        a.name == b.name && a.entry == b.entry && a.directory == b.directory && a.python == b.python
            && a.virtualenv == b.virtualenv && a.environment.elementsEqual(b.environment, by: ==)
            && a.user == b.user && a.group == b.group && a.server == b.server && a.instances == b.instances
            && a.hosts == b.hosts && a.socket == b.socket && a.port == b.port && a.health == b.health
            && a.source == b.source && a.baseInterpreter == b.baseInterpreter && a.keepReleases == b.keepReleases
            && a.drainTimeout == b.drainTimeout && a.releaseCommand == b.releaseCommand && a.secretKeys == b.secretKeys && a.ownUser == b.ownUser && a.ownGroup == b.ownGroup
    }
}
