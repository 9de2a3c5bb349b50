import Foundation

/// Judges what a host has against what its tiers need: each requirement met or not (with the
/// version found, or what is wrong), and the one `apt-get install` line that adds what is missing.
public struct HostCheck: Sendable, Codable, Equatable {
    public struct Item: Sendable, Codable, Equatable {
        public var what: String
        public var ok: Bool
        public var detail: String
    }

    public var host: String
    public var items: [Item] = []
    /// Debian packages that provide what is missing.
    public var packages: [String] = []
    /// Other commands that mend what apt cannot (flup in a pool's virtualenv).
    public var fixes: [String] = []

    public var ok: Bool { items.allSatisfy(\.ok) }
    public var problems: [Item] { items.filter { !$0.ok } }
    public var aptLine: String? { packages.isEmpty ? nil : "apt-get install -y " + packages.joined(separator: " ") }

    /// Free space a host needs under the stack's base, in KiB: releases and virtualenvs live there.
    static let minimumFreeKiB = 256 * 1024

    /// Each binary a host's tiers need, with the arguments that print its version, and its package.
    static func binaries(_ plan: HostPlan) -> [(path: String, version: ShellCode, package: String)] {
        let p = plan.platform, m = plan.topology.manifest
        var out: [(String, ShellCode, String)] = [(p.python, "--version", "python3")]
        if plan.tiers.contains(.front) { out.append((p.apache2, "-v", "apache2")) }
        if plan.tiers.contains(.middle) {
            out.append(m.middle.server == .nginx ? (p.nginx, "-v", "nginx") : (p.lighttpd, "-v", "lighttpd"))
        }
        switch plan.host.processManager {
        case .supervisord: out += [(p.supervisord, "--version", "supervisor"), (p.supervisorPython, "--version", "python3")]
        case .systemd: out += [("/usr/bin/systemctl", "--version", "systemd"), ("/usr/bin/systemd-analyze", "", "systemd")]
        }
        out.append(("/usr/bin/ss", "", "iproute2"))
        var seen: Set<String> = []
        return out.filter { seen.insert($0.0).inserted }
    }

    /// The TCP ports the host's programs listen on.
    /// The addresses and ports the host's programs listen on.
    static func ports(_ plan: HostPlan) -> [(address: String, port: Int)] {
        let t = plan.topology, m = t.manifest, host = plan.host.name
        var ports: [(String, Int)] = []
        if plan.tiers.contains(.front) {
            ports.append((t.frontListenAddress(on: host), m.front.port))
            if let tls = m.front.tls { ports.append((t.frontListenAddress(on: host), tls.port)) }
        }
        if plan.tiers.contains(.middle) { ports.append((t.middleListenAddress(on: host), m.middle.port)) }
        for w in t.workers(on: host) { if case .tcp(let address, let port) = w.endpoint { ports.append((address, port)) } }
        return ports
    }

    /// An address as ss prints it, without brackets or a `%interface`.
    static func bare(_ s: String) -> String { s.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).components(separatedBy: "%").first ?? s }

    /// Whether two listening addresses collide, as the kernel sees it: a wildcard takes the port
    /// on every address; otherwise only the same address does.
    static func overlaps(_ a: String, _ b: String) -> Bool {
        let x = bare(a), y = bare(b)
        let wild: Set<String> = ["0.0.0.0", "::", "*", ""]
        return wild.contains(x) || wild.contains(y) || x == y || x == "::ffff:" + y || y == "::ffff:" + x
    }

    public init(host: String) { self.host = host }

    public init(_ reply: CheckReply, _ plan: HostPlan) {
        host = plan.host.name
        let t = plan.topology
        guard reply.uid >= 0 else { return }  // no check ran (a script without one)
        func add(_ what: String, _ ok: Bool, _ detail: String, package: String? = nil) {
            items.append(Item(what: what, ok: ok, detail: detail))
            if !ok, let package, !packages.contains(package) { packages.append(package) }
        }
        add("root", reply.uid == 0, reply.uid == 0 ? "logged in as root"
            : "logged in as \(reply.user): stackctl runs its commands as root (set User root for this host in the ssh config)")
        for (path, _, package) in Self.binaries(plan) {
            let found = reply.binaries[path]
            guard found != nil || reply.missing.contains(path) else { continue }
            add(path, found != nil, found.map { $0.isEmpty ? "present" : $0 } ?? "missing", package: package)
        }
        if plan.host.processManager == .systemd, let pid1 = reply.initSystem {
            let booted = pid1 == "systemd"
            add("PID 1", booted, booted ? "systemd" : "\(pid1), not systemd: this host cannot run the stack's systemd units")
            if !booted {
                fixes.append("run this host's stack under supervisord: set process_manager: supervisord on hosts.\(host) in the manifest")
            }
        }
        for file in reply.modules { add("Apache \(file)", false, "missing from \(plan.platform.apacheModules)", package: "apache2") }
        for pool in t.manifest.pools where pool.hosts.contains(host) {
            if let version = reply.flup[pool.name] {
                add("pool \(pool.name): flup", version == "1.0.3", version == "1.0.3" ? "flup \(version) in \(pool.python)"
                    : "flup \(version) in \(pool.python); stackctl is tested with 1.0.3")
            } else if let why = reply.noFlup[pool.name] {
                add("pool \(pool.name): flup", false, "\(pool.python) cannot import flup: \(why)")
                if pool.source == nil {
                    let gone = why.contains("not found") || why.contains("No such file")
                    let pip = pool.virtualenv.map { "\($0)/bin/pip install flup==1.0.3" } ?? "\(pool.python) -m pip install flup==1.0.3"
                    if let venv = pool.virtualenv, gone {
                        fixes.append("python3 -m venv \(venv) && \(pip)")
                        if !packages.contains("python3-venv") { packages.append("python3-venv") }
                    } else {
                        fixes.append(pip)
                    }
                }
            }
        }
        if let venv = reply.venv { add("python3 venv", venv, venv ? "present (releases get their virtualenv from it)"
            : "python3 cannot make a virtualenv", package: "python3-venv") }
        for (address, port) in Self.ports(plan) {
            guard let holder = reply.listeners.first(where: { $0.port == port && Self.overlaps($0.address, address) }) else { continue }
            let ours = holder.command.contains(t.base)
            let own = holder.command.components(separatedBy: "| ").first ?? holder.command
            add("port \(Topology.hostPort(address, port))", ours, ours ? "held by this stack"
                : "taken by pid \(holder.pid) listening on \(Topology.hostPort(Self.bare(holder.address), port)): "
                    + Probe.snippet(own.trimmingCharacters(in: .whitespaces), limit: 100))
        }
        // `stackctl check` only (up's inspect reads no directory): a front behind NAT may get port 80 forwarded.
        if plan.tiers.contains(.front), let acme = t.manifest.front.tls?.acme, let ca = reply.acmeDirectory {
            let port = t.manifest.front.port
            add("ACME http-01", port == 80, port == 80 ? "the CA asks mod_md on port 80 of \(t.manifest.front.serverNames.joined(separator: ", "))"
                : "the CA asks on port 80 and the front listens on \(port): forward port 80 to it, or set front.port: 80")
            add("ACME directory", ca.ok, ca.ok ? "\(acme.directory) answers" : "\(acme.directory) does not answer from here: \(ca.text)")
        }
        if let disk = reply.disk {
            add("disk", disk.kb >= Self.minimumFreeKiB,
                "\(disk.kb / 1024) MiB free under \(disk.path)\(disk.kb >= Self.minimumFreeKiB ? "" : "; at least \(Self.minimumFreeKiB / 1024) MiB needed")")
        }
        if let files = reply.openFiles, plan.tiers.contains(.middle) {
            let need = t.middleOpenFiles
            add("open files", files.limit >= need,
                "\(files.limit) (\(files.source)) for max_connections \(t.manifest.middle.maxConnections), which needs \(need)")
        }
    }
}
