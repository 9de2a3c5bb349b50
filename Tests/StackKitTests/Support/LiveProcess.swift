import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A service a live test started, reaped by its own pid.
final class Service {
    let pid: pid_t
    private(set) var status: Int32?

    init(pid: pid_t) { self.pid = pid }

    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
        return status == nil
    }

    /// The exit code, or 128+signal; waits at most `seconds`.
    func exitCode(within seconds: Double) -> Int32? {
        guard Net.wait(seconds, { !isRunning }), let raw = status else { return nil }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }
}

/// Processes a live test starts. They are spawned with an empty signal mask and default
/// dispositions, as a process manager would (the test runner's own mask must not leak in),
/// and each is stopped by its own pid.
final class LiveProcesses {
    private(set) var started: [Service] = []

    func start(_ argv: [String], log: String) throws -> Service {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        let service = Service(pid: pid)
        started.append(service)
        return service
    }

    /// SIGTERM to each pid, then SIGKILL to any still alive after `grace` seconds.
    func stopAll(grace: Double = 10) {
        for s in started where s.isRunning { kill(s.pid, SIGTERM) }
        for s in started where s.exitCode(within: grace) == nil {
            kill(s.pid, SIGKILL)
            _ = s.exitCode(within: 5)
        }
        started.removeAll()
    }

    deinit { stopAll() }
}

enum Net {
    /// Whether `port` can be bound on 127.0.0.1 (or [::1]) right now.
    static func canBind(_ port: Int, ipv6: Bool = false) -> Bool {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        if ipv6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_addr = in6addr_loopback
            addr.sin6_port = in_port_t(UInt16(port).bigEndian)
            return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } } == 0
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    /// A free port (and the one after it with `pair`: a pool's two instances), picked below the
    /// kernel's ephemeral range (32768 up), so that no outgoing connection of a test running
    /// alongside can take it between this check and the server's bind.
    /// A port handed out once is never handed out again in this process: two calls made before
    /// either server binds (a front's and a middle's port) would otherwise both find it free.
    static func freePort(ipv6: Bool = false, pair: Bool = false) -> Int {
        while true {
            let p = Int.random(in: 20000..<32000)
            let wanted = pair ? [p, p + 1] : [p]
            guard wanted.allSatisfy({ canBind($0, ipv6: ipv6) }) else { continue }
            let fresh = handedOut.withLock { taken in
                guard taken.isDisjoint(with: wanted) else { return false }
                taken.formUnion(wanted)
                return true
            }
            if fresh { return p }
        }
    }

    private static let handedOut = Mutex<Set<Int>>([])

    static func freePortPair() -> Int { freePort(pair: true) }
    static func freeIPv6Port(pair: Bool = false) -> Int { freePort(ipv6: true, pair: pair) }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    /// A TCP connection to [::1]:port.
    static func canConnect(ipv6Port port: Int) -> Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_addr = in6addr_loopback
        addr.sin6_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } } == 0
    }

    static func canConnect(unix path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.prefix(buf.count - 1).enumerated() { buf[i] = b }
        }
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } } == 0
    }

    /// Polls until `ready` holds, at most `seconds`; a bounded wait, not a timing assertion.
    static func wait(_ seconds: Double, _ ready: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if ready() { return true }
            usleep(20_000)
        }
        return ready()
    }

    struct Response {
        var status: Int
        var contentType: String
        var body: String
    }

    /// One HTTP GET to a loopback address with curl.
    static func get(_ url: String, headers: [String] = []) throws -> Response {
        precondition(url.hasPrefix("http://127.") || url.hasPrefix("http://[::1]"), "tests only talk to loopback addresses")
        let argv = ["/usr/bin/curl", "-s", "--noproxy", "*", "-m", "10", "-o", "-", "-w", "\n%{http_code} %{content_type}"] + headers.flatMap { ["-H", $0] } + [url]
        let r = try Run.run(argv)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let meta = lines.last.map(String.init) ?? ""
        let status = Int(meta.split(separator: " ").first ?? "") ?? 0
        let type = meta.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        return Response(status: status, contentType: type, body: lines.dropLast().joined(separator: "\n"))
    }
}
