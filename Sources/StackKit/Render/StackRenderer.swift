/// Renders every file each host of a stack needs. Pure: the same manifest gives the same
/// values, byte for byte; writing them is the caller's business.
public struct StackRenderer: Sendable {
    public let topology: Topology
    public let platform: Platform

    public init(_ manifest: Manifest, platform: Platform = Platform(), drained: Set<String> = []) {
        self.topology = Topology(manifest, drained: drained)
        self.platform = platform
    }

    public var manifest: Manifest { topology.manifest }

    /// Every host that runs part of the stack, in manifest order.
    public func renderAll() -> [HostRender] {
        topology.activeHosts.map(render)
    }

    public func render(_ host: Host) -> HostRender {
        let roles = topology.roles(of: host.name)
        var files: [RenderedFile] = []
        if roles.contains(.front) { files += frontFiles(host) }
        if roles.contains(.middle) {
            let (contents, check): (String, FileCheck) = switch manifest.middle.server {
            case .lighttpd: (LighttpdRenderer(topology: topology, host: host).render(),
                .lighttpd(binary: platform.lighttpd, openFiles: topology.middleOpenFiles))
            case .nginx: (NginxRenderer(topology: topology, host: host).render(),
                          .nginx(binary: platform.nginx, prefix: topology.middleDirectory, openFiles: topology.middleOpenFiles))
            }
            files.append(RenderedFile(path: topology.middleConfigPath, contents: contents, role: .middle, check: check))
        }
        for pool in manifest.pools where pool.hosts.contains(host.name) {
            files += PoolRenderer(topology: topology, host: host, pool: pool).files()
        }
        let programs = Programs.on(host, topology, platform)
        switch host.processManager {
        case .supervisord:
            files.append(RenderedFile(path: topology.supervisorConfigPath,
                contents: SupervisordRenderer(topology: topology, host: host, programs: programs).render(),
                                      role: .manager, check: .supervisord(python: platform.supervisorPython, launcher: topology.supervisordPath)))
            files.append(RenderedFile(path: topology.supervisordPath,
                contents: SupervisordRenderer.launcher(python: platform.supervisorPython, stack: manifest.name, host: host.name),
                                      role: .manager, check: .python(interpreter: platform.supervisorPython, imports: []), mode: 0o755))
            files += SupervisordBootUnits(topology: topology, host: host, programs: programs, platform: platform).files()
        case .systemd:
            files += SystemdRenderer(topology: topology, host: host, programs: programs).files()
        }
        return HostRender(host: host, files: files, directories: directories(host, roles))
    }

    func directories(_ host: Host, _ roles: Set<Tier>) -> [DirectorySpec] {
        let m = manifest.middle
        var dirs = [
            DirectorySpec(path: topology.base),
            DirectorySpec(path: topology.runDirectory),
            DirectorySpec(path: topology.logDirectory),
        ]
        if roles.contains(.front) {
            dirs.append(DirectorySpec(path: topology.frontDirectory))
            dirs.append(DirectorySpec(path: topology.maintenanceDirectory))
        }
        if roles.contains(topology.direct ? .front : .middle), manifest.middle.staticRoot == Middle.emptyRoot(base: topology.base) {
            dirs.append(DirectorySpec(path: Middle.emptyRoot(base: topology.base)))
        }
        if roles.contains(.middle) {
            dirs.append(DirectorySpec(path: topology.middleDirectory))
            if m.server == .nginx { dirs.append(DirectorySpec(path: topology.middleDirectory + "/temp", owner: m.user, group: m.group, mode: 0o750)) }
            // lighttpd opens its error log after dropping privileges.
            if m.server == .lighttpd { dirs[2] = DirectorySpec(path: topology.logDirectory, owner: "root", group: m.group, mode: 0o775) }
        }
        for pool in manifest.pools where pool.hosts.contains(host.name) {
            dirs.append(DirectorySpec(path: "\(topology.base)/pools"))
            dirs.append(DirectorySpec(path: topology.poolDirectory(pool.name)))
            if topology.usesUnixSocket(pool: pool, host: host.name) {
                // The worker creates its socket here; the router's group (the middle server's,
                // or Apache's without a middle tier) may enter.
                dirs.append(DirectorySpec(path: topology.socketDirectory(pool.name), owner: pool.user, group: topology.routerGroup, mode: 0o750))
            }
        }
        dirs += DataDirectories(topology: topology).specs(on: host.name)
        if host.processManager == .supervisord { dirs.append(DirectorySpec(path: "\(topology.base)/supervisor")) }
        return dirs.reduce(into: []) { acc, d in if !acc.contains(where: { $0.path == d.path }) { acc.append(d) } }
    }

    /// apache2.conf, and with HTTPS the shipped certificate chain and key (0600 root). Every
    /// one of them re-checks that the key is the certificate's.
    func frontFiles(_ host: Host) -> [RenderedFile] {
        let apache = ApacheRenderer(topology: topology, host: host, platform: platform).render()
        guard let tls = manifest.front.tls, let certificate = topology.tlsCertificatePath, let key = topology.tlsKeyPath else {
            // With ACME, a private CA's root is shipped beside the config, which names it.
            guard case .shipped(_, let ca)? = manifest.front.tls?.acme?.caCertificate else {
                return [RenderedFile(path: topology.frontConfigPath, contents: apache, role: .front,
                    check: .apache(binary: platform.apache2, serverRoot: topology.frontDirectory))]
            }
            return [RenderedFile(path: topology.frontConfigPath, contents: apache, role: .front,
                        check: .apache(binary: platform.apache2, serverRoot: topology.frontDirectory, staged: [topology.acmeCAPath])),
                    RenderedFile(path: topology.acmeCAPath, contents: ca, role: .front, check: .none)]
        }
        let pair = FileCheck.tlsPair(python: platform.python, certificate: certificate, key: key)
        var files = [RenderedFile(path: topology.frontConfigPath, contents: apache, role: .front,
                                  check: .apache(binary: platform.apache2, serverRoot: topology.frontDirectory, staged: [certificate, key]))]
        if case .shipped(_, let contents) = tls.certificate {
            files.append(RenderedFile(path: certificate, contents: contents, role: .front, check: pair))
        }
        if case .shipped(_, let contents) = tls.key {
            var file = RenderedFile(path: key, contents: contents, role: .front, check: pair, mode: 0o600)
            file.secret = true
            files.append(file)
        }
        return files
    }
}
