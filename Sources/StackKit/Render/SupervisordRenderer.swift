/// A dedicated supervisord per stack and host: its own socket, pid and logs under the stack's
/// base, so it never touches a system supervisord. Programs do not autostart: `stackctl up`
/// starts them tier by tier, each after the tier below is healthy.
struct SupervisordRenderer {
    let topology: Topology
    let host: Host
    let programs: [Program]

    /// `Python/supervisor_stand_in.py`: pkg_resources as supervisor 4.2 uses it, and `supervise`.
    static let standIn = String(decoding: PackageResources.supervisor_stand_in_py, as: UTF8.self)

    /// The stack's supervisord: supervisor's own entry point on the interpreter supervisor is
    /// installed for, started with the stand-in (about 55 ms less per start). Named
    /// `supervisord`, so the process is called that, as the distribution's is.
    static func launcher(python: String, stack: String, host: String) -> String {
        "#!\(python)\n" + Dialect.header("#", stack: stack, host: host) + standIn + """
        def run():
            from supervisor.supervisord import main
            main()
        supervise(run)

        """
    }

    func render() -> String {
        let run = topology.runDirectory, log = topology.logDirectory
        var out = Dialect.header(";", stack: topology.manifest.name, host: host.name)
        out += """
        [unix_http_server]
        file=\(topology.supervisorSocketPath)
        chmod=0700

        [supervisord]
        logfile=\(log)/supervisord.log
        pidfile=\(run)/supervisord.pid
        childlogdir=\(log)
        identifier=\(topology.manifest.name)

        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

        [supervisorctl]
        serverurl=unix://\(topology.supervisorSocketPath)

        """
        for program in programs {
            out += "\n[program:\(program.name)]\n"
            out += "command=\(program.argv.map(Dialect.supervisord).joined(separator: " "))\n"
            if let directory = program.directory { out += "directory=\(directory)\n" }
            if let user = program.user { out += "user=\(user)\n" }
            out += """
            autostart=false
            autorestart=true
            startsecs=1
            startretries=5
            stopsignal=\(program.stopSignal)
            stopwaitsecs=\(program.stopSeconds)
            redirect_stderr=true
            stdout_logfile=\(log)/\(program.name).log
            stdout_logfile_maxbytes=10MB
            stdout_logfile_backups=3

            """
        }
        let pools = programs.compactMap(\.pool).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for pool in pools {
            let members = programs.filter { $0.pool == pool }.map(\.name).joined(separator: ",")
            out += "\n[group:\(topology.poolUnit(pool))]\nprograms=\(members)\n"
        }
        return out
    }
}
