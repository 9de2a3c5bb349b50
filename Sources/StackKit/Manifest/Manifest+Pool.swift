import Crypto
import Foundation

public enum SocketKind: String, Sendable, CaseIterable {
    case auto, unix, tcp
}

/// The protocol between the router and a pool's workers (the manifest's `protocol`): flup
/// serves either, and lighttpd (mod_scgi), nginx (`scgi_pass`) and Apache (mod_proxy_scgi)
/// speak both.
public enum Gateway: String, Sendable, CaseIterable {
    case fastcgi, scgi
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
    public var gateway: Gateway = .fastcgi
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
    /// Seconds the release_command may run; then it and every process it started are ended.
    public var releaseTimeout: Double = 600
    /// Persistent directories (`data`), each also in `environment` as its variable.
    public var data: [DataDirectory] = []
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
            && a.hosts == b.hosts && a.socket == b.socket && a.gateway == b.gateway && a.port == b.port && a.health == b.health
            && a.source == b.source && a.baseInterpreter == b.baseInterpreter && a.keepReleases == b.keepReleases
            && a.drainTimeout == b.drainTimeout && a.releaseCommand == b.releaseCommand && a.releaseTimeout == b.releaseTimeout && a.data == b.data && a.secretKeys == b.secretKeys
                && a.ownUser == b.ownUser && a.ownGroup == b.ownGroup
    }
}
