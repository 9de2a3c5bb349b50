/// The long-running processes a host runs, as data; the supervisord and systemd renderers only
/// format them. Workers come first, then the middle server, then the front.
public struct Program: Sendable, Equatable {

    public var name: String
    public var tier: Tier
    public var argv: [String]
    /// Account to run as; nil for servers that start as root and drop privileges themselves.
    public var user: String?
    public var group: String?
    public var directory: String?
    public var stopSignal: String
    public var stopSeconds: Int
    /// Graceful reload, if the program has one as a command.
    public var reloadArgv: [String]?
    /// Or the signal that reloads it gracefully (lighttpd: SIGUSR1, same pid).
    public var reloadSignal: String? = nil
    /// For systemd templates: the pool whose instances this program is one of.
    public var pool: String?
    public var instance: Int?
    /// Open files the program needs: the process manager raises its limit to this.
    public var openFiles: Int?
}

enum Programs {
    static func on(_ host: Host, _ topology: Topology, _ platform: Platform) -> [Program] {
        let manifest = topology.manifest
        var programs: [Program] = []
        for pool in manifest.pools where pool.hosts.contains(host.name) {
            for worker in topology.workers(on: host.name) where worker.pool == pool.name {
                programs.append(Program(
                    name: worker.unitName(stack: manifest.name), tier: .workers,
                    argv: [pool.python, topology.launcherPath(pool.name), topology.poolConfigPath(pool.name), String(worker.index)],
                    user: pool.user, group: pool.group, directory: pool.directory,
                    stopSignal: "TERM", stopSeconds: 15, pool: pool.name, instance: worker.index))
            }
        }
        if manifest.middle.hosts.contains(host.name) {
            let conf = topology.middleConfigPath
            switch manifest.middle.server {
            case .lighttpd:
                programs.append(Program(name: topology.middleUnit, tier: .middle, argv: [platform.lighttpd, "-D", "-f", conf],
                                        stopSignal: "INT", stopSeconds: 30, reloadArgv: nil, reloadSignal: "USR1", openFiles: topology.middleOpenFiles))
            case .nginx:
                let base = [platform.nginx, "-p", topology.middleDirectory, "-c", conf]
                programs.append(Program(name: topology.middleUnit, tier: .middle, argv: base,
                                        stopSignal: "QUIT", stopSeconds: 30, reloadArgv: base + ["-s", "reload"], openFiles: topology.middleOpenFiles))
            }
        }
        if manifest.front.hosts.contains(host.name) {
            let base = [platform.apache2, "-f", topology.frontConfigPath, "-d", topology.frontDirectory]
            programs.append(Program(name: topology.frontUnit, tier: .front, argv: base + ["-DFOREGROUND"],
                                    stopSignal: "WINCH", stopSeconds: 30, reloadArgv: base + ["-k", "graceful"]))
        }
        return programs
    }
}
