/// systemd's sandboxing for each unit, as far as it does not break the program: the file
/// system is read-only but for what the program writes (its socket, logs, pid and temp files,
/// and a worker's own directory), home directories are read-only, no new privileges, no
/// devices, kernel or control-group knobs, and only the system calls and address families a
/// network service uses. Workers keep no capability at all; the servers keep the few they need
/// to bind a low port, drop to their account and signal their own workers.
/// Not used, since they break real apps: MemoryDenyWriteExecute (cffi and ctypes callbacks),
/// ProcSubset=pid (psutil), PrivateUsers (a socket given to the middle server's group).
struct SystemdSandbox {
    let topology: Topology

    static let common = [
        "NoNewPrivileges=yes", "PrivateTmp=yes", "PrivateDevices=yes", "DevicePolicy=closed",
        "ProtectSystem=strict", "ProtectHome=read-only", "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes", "ProtectControlGroups=yes", "ProtectClock=yes", "ProtectHostname=yes", "ProtectProc=invisible",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "RestrictNamespaces=yes", "RestrictRealtime=yes",
        "RestrictSUIDSGID=yes", "LockPersonality=yes", "RemoveIPC=yes", "KeyringMode=private",
        "SystemCallArchitectures=native", "SystemCallFilter=@system-service",
    ]

    /// Capabilities a server that starts as root keeps: bind a port below 1024, drop to its
    /// account, hand files to it, signal its own workers.
    static let serverCapabilities = "CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_CHOWN CAP_KILL CAP_DAC_OVERRIDE"

    func lines(_ program: Program) -> [String] {
        let t = topology
        var writable: [String]
        var out = Self.common
        switch program.tier {
        case .workers:
            let pool = program.pool.flatMap(t.manifest.pool(named:))
            let own = pool.map { [$0.source == nil ? $0.directory : t.poolDirectory($0.name)] + $0.data.map(\.path) } ?? []
            writable = [t.socketDirectory(program.pool ?? "")] + own
            out += ["SystemCallFilter=~@privileged", "CapabilityBoundingSet=", "AmbientCapabilities=", "UMask=0027"]
        case .middle, .front:
            writable = [t.runDirectory, t.logDirectory, program.tier == .middle ? t.middleDirectory : t.frontDirectory]
            // A server starting as root needs @privileged's setuid, setgid and chown to drop to
            // its account; the rest of what a network service never calls stays out.
            out += ["CapabilityBoundingSet=\(Self.serverCapabilities)",
                    "SystemCallFilter=~@mount @reboot @swap @module @raw-io @obsolete @debug @cpu-emulation"]
        }
        // `-`: a path not there yet (a pool's socket directory before its first start) is skipped.
        // Paths hold no spaces, quotes or `%` (ValueRule.path), so they go in as they are.
        return out + ["ReadWritePaths=" + writable.map { "-" + $0 }.joined(separator: " ")]
    }
}
