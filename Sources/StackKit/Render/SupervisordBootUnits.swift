/// A supervisord stack on a host that boots with systemd: systemd runs the stack's supervisord,
/// and a boot unit starts its programs tier by tier when the host boots. Two units, because
/// `up` starts supervisord with no program running (it starts each tier after the tier below
/// is healthy), while a boot must start them all. Installed only where PID 1 is systemd.
struct SupervisordBootUnits {
    let topology: Topology
    let host: Host
    let programs: [Program]
    let platform: Platform

    var stack: String { topology.manifest.name }

    func files() -> [RenderedFile] {
        [
            RenderedFile(path: topology.systemdUnitPath(topology.supervisorUnit), contents: supervisord(), role: .manager,
                         check: .systemdUnit(unit: topology.supervisorUnit), needsSystemdInit: true),
            RenderedFile(path: topology.systemdUnitPath(topology.supervisorBootUnit), contents: boot(), role: .manager,
                         check: .systemdUnit(unit: topology.supervisorBootUnit), needsSystemdInit: true),
        ]
    }

    /// supervisord daemonizes and writes its pid file; on stop it gets SIGTERM alone and stops
    /// its programs itself, each with its own stop signal and wait.
    func supervisord() -> String {
        let stopWait = (programs.map(\.stopSeconds).max() ?? 10) + 10
        return Dialect.header("#", stack: stack, host: host.name) + """
        [Unit]
        Description=stackctl \(stack): supervisord
        After=network.target

        [Service]
        Type=forking
        PIDFile=\(topology.runDirectory)/supervisord.pid
        ExecStart=\(command([topology.supervisordPath, "-c", topology.supervisorConfigPath]))
        KillMode=mixed
        TimeoutStopSec=\(stopWait)

        """
    }

    /// One `supervisorctl start` per tier, bottom-up: each returns once its programs have run
    /// for supervisord's `startsecs`. A tier that fails does not keep the next from starting
    /// (`-`), as with systemd's own ordering.
    func boot() -> String {
        var out = Dialect.header("#", stack: stack, host: host.name) + """
        [Unit]
        Description=stackctl \(stack): start the stack's programs at boot, tier by tier
        Wants=\(topology.supervisorUnit)
        After=\(topology.supervisorUnit)

        [Service]
        Type=oneshot
        RemainAfterExit=yes

        """
        for tier in Tier.allCases {
            let names = programs.filter { $0.tier == tier }.reduce(into: [String]()) { names, p in
                let name = p.pool.map { topology.poolUnit($0) + ":*" } ?? p.name
                if !names.contains(name) { names.append(name) }
            }
            guard !names.isEmpty else { continue }
            out += "ExecStart=-" + command([platform.supervisorctl, "-c", topology.supervisorConfigPath, "start"] + names) + "\n"
        }
        out += """
        TimeoutStartSec=300

        [Install]
        WantedBy=multi-user.target

        """
        return out
    }

    func command(_ argv: [String]) -> String { argv.map(Dialect.systemd).joined(separator: " ") }
}
