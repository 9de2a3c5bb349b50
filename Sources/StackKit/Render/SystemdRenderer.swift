/// systemd units: one template per pool (`stack-pool@N.service`, N the instance), one unit each
/// for the middle server and the front, and a target that groups the stack on the host.
struct SystemdRenderer {
    let topology: Topology
    let host: Host
    let programs: [Program]

    var stack: String { topology.manifest.name }

    func files() -> [RenderedFile] {
        var files: [RenderedFile] = []
        var templated = Set<String>()
        for program in programs {
            if let pool = program.pool {
                guard templated.insert(pool).inserted else { continue }
                let name = "\(topology.poolUnit(pool))@.service"
                var argv = program.argv
                argv[argv.count - 1] = "%i"
                files.append(RenderedFile(path: topology.systemdUnitPath(name),
                                          contents: unit(program, description: "stackctl \(stack): pool \(pool) worker %i", argv: argv),
                                          role: .workers(pool: pool), check: .systemdUnit(unit: "\(topology.poolUnit(pool))@0.service")))
            } else {
                files.append(RenderedFile(path: topology.systemdUnitPath("\(program.name).service"),
                                          contents: unit(program, description: "stackctl \(stack): \(program.tier.rawValue)", argv: program.argv),
                                          role: FileRole(tier: program.tier, pool: nil), check: .systemdUnit(unit: "\(program.name).service")))
            }
        }
        files.append(RenderedFile(path: topology.systemdUnitPath("\(stack).target"), contents: target(), role: .manager,
                                  check: .systemdUnit(unit: "\(stack).target")))
        return files
    }

    /// Words are quoted for systemd, except the `%i` specifier that must expand.
    func command(_ argv: [String]) -> String {
        argv.map { $0 == "%i" ? $0 : Dialect.systemd($0) }.joined(separator: " ")
    }

    func unitName(_ p: Program) -> String {
        p.pool.map { "\(topology.poolUnit($0))@\(p.instance ?? 0).service" } ?? "\(p.name).service"
    }

    /// At boot the tiers of this host start bottom-up: the middle after this host's workers are
    /// ready (a worker is `Type=notify`: ready once its app is imported and its socket
    /// listens), the front after the middle.
    func after(_ program: Program) -> [String] {
        programs.filter { $0.tier < program.tier }.map(unitName)
    }

    func unit(_ program: Program, description: String, argv: [String]) -> String {
        var out = Dialect.header("#", stack: stack, host: host.name)
        let after = (["network.target"] + after(program)).joined(separator: " ")
        let type = program.tier == .workers ? "notify\nNotifyAccess=main" : "simple"
        out += """
        [Unit]
        Description=\(description)
        After=\(after)
        PartOf=\(stack).target

        [Service]
        Type=\(type)
        ExecStart=\(command(argv))

        """
        if let reload = program.reloadArgv { out += "ExecReload=\(command(reload))\n" }
        if let signal = program.reloadSignal { out += "ExecReload=/bin/kill -s \(signal) $MAINPID\n" }
        if let user = program.user { out += "User=\(user)\n" }
        if let group = program.group { out += "Group=\(group)\n" }
        if let files = program.openFiles { out += "LimitNOFILE=\(files)\n" }
        if let directory = program.directory { out += "WorkingDirectory=\(directory.replacingOccurrences(of: "%", with: "%%"))\n" }
        for line in SystemdSandbox(topology: topology).lines(program) { out += line + "\n" }
        out += """
        KillSignal=SIG\(program.stopSignal)
        TimeoutStopSec=\(program.stopSeconds)
        Restart=on-failure
        RestartSec=1

        [Install]
        WantedBy=\(stack).target

        """
        return out
    }

    func target() -> String {
        Dialect.header("#", stack: stack, host: host.name) + """
        [Unit]
        Description=stackctl stack \(stack)

        [Install]
        WantedBy=multi-user.target

        """
    }
}
