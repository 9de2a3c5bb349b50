/// Pools' releases: built from their source here, prepared (unpacked, virtualenv installed) on
/// their hosts before any host switches, and linked as `current` on hosts that had none.
struct Releases<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// Per pool, the hosts that run an older release, with the release they move to.
    typealias Stale = [String: (release: ReleaseArchive, hosts: [String])]

    /// `up`'s releases: each sourced pool's release prepared on its hosts, its release_command
    /// run, and linked as `current` where the pool has none yet (before its workers first
    /// start). Returns the hosts that run an older release: those are rolled once the tiers are
    /// up. Nil when a release failed.
    func place(_ inspected: [Inspected], _ built: [String: ReleaseArchive]) async -> Stale? {
        var stale: Stale = [:]
        for pool in run.manifest.pools where pool.source != nil {
            let hosts = inspected.filter { pool.hosts.contains($0.plan.host.name) }
            guard let release = if let ready = built[pool.name] { ready } else { await build(pool) } else { return nil }
            let behind = hosts.filter { $0.state.releases[pool.name] != release.id }
            guard !behind.isEmpty else { continue }
            guard await prepare(pool, release, behind), await ReleaseHook(run: run).execute(pool, release: release.id, on: behind) else { return nil }
            let fresh = behind.filter { $0.state.releases[pool.name] == nil }
            let linked = await run.phase(fresh) { Scripts.switchRelease(pool, to: release.id, $0.plan, restart: false) }
            for (i, _) in linked.done { run.recorder.update(i.hostName) { $0.releases[pool.name] = release.id } }
            if let host = linked.failedHosts.first {
                run.recorder.fail(linked.failureStatus, "\(host): release \(release.id) of \(pool.name) could not be linked")
                return nil
            }
            let older = behind.filter { $0.state.releases[pool.name] != nil }.map(\.plan.host.name)
            if !older.isEmpty { stale[pool.name] = (release, older) }
        }
        return stale
    }

    /// Every sourced pool's release and every shipped static directory's, by `key`; nil, with
    /// the failure recorded, when one cannot be built.
    func buildAll() async -> [String: ReleaseArchive]? {
        var built: [String: ReleaseArchive] = [:]
        for pool in run.manifest.pools where pool.source != nil {
            guard let release = await build(pool) else { return nil }
            built[pool.name] = release
        }
        for shipped in run.manifest.middle.shipped {
            guard let release = await StaticReleases(run: run).build(shipped) else { return nil }
            built[shipped.releaseName] = release
        }
        return built
    }

    /// A pool's release from its source; nil, with the failure recorded, when it cannot be built.
    func build(_ pool: Pool) async -> ReleaseArchive? {
        guard let source = pool.source else { return nil }
        return await build(pool.name, source) { () async throws(ReleaseError) in try await ReleaseBuilder.build(pool) }
    }

    /// One release built (a pool's or a static directory's, named `label`), said as it goes.
    func build(_ label: String, _ source: ReleaseSource, _ make: () async throws(ReleaseError) -> ReleaseArchive) async -> ReleaseArchive? {
        run.emit(.step, nil, "\(label): building the release from \(source.path)\(source.ref.map { " at \($0)" } ?? "")")
        do throws(ReleaseError) {
            let start = run.elapsed
            let release = try await make()
            run.recorder.timePhase("build", seconds: run.elapsed - start)
            run.emit(.done, nil, "\(label): release \(release.id) (\(release.fileCount) files, \(release.tarGz.count / 1024) KiB)")
            return release
        } catch {
            run.recorder.fail(.releaseFailed, "\(label): \(error)")
            run.emit(.failed, nil, error.description)
            return nil
        }
    }

    /// The release unpacked with its virtualenv on `hosts`; false (exit 7) when a host failed.
    /// Hosts without its virtualenv get the one built once here (`VirtualenvBuilder`).
    func prepare(_ pool: Pool, _ release: ReleaseArchive, _ hosts: [Inspected]) async -> Bool {
        let lacking = Set(hosts.filter { !($0.state.venvs[pool.name]?.contains(release.requirementsHash) ?? false) }.map(\.hostName))
        let bundle = lacking.isEmpty ? nil : await venv(pool, release, for: lacking.count)
        run.emit(.step, nil, "\(pool.name): preparing release \(release.id) on \(hosts.names)")
        let judged = await run.phase(hosts, status: .releaseFailed,
                                     failing: { "release \(release.id) of \(pool.name) could not be prepared on \($0); no traffic moved" }) {
            Scripts.prepare(pool, release, $0.plan, venv: lacking.contains($0.hostName) ? bundle : nil)
        }
        for (i, reply) in judged.done {
            let how = switch reply.venv {
            case "shipped": " (its virtualenv unpacked: no pip ran)"
            case "built": bundle == nil ? " (its virtualenv built on the host with pip)"
                : " (its virtualenv built on the host with pip: its \(pool.baseInterpreter) is not \(bundle!.python))"
            default: ""
            }
            run.emit(.done, i.hostName, reply.already ? "release \(release.id) already prepared" : "release \(release.id) prepared\(how)")
        }
        return judged.ok
    }

    /// The pool's virtualenv for the release, built once here (or taken from the cache); nil,
    /// said, when this machine cannot build it: then each host builds its own with pip.
    func venv(_ pool: Pool, _ release: ReleaseArchive, for hosts: Int) async -> VirtualenvBundle? {
        guard let builder = run.virtualenvs else { return nil }
        let target = run.topology.poolDirectory(pool.name) + "/venvs/" + release.requirementsHash
        run.emit(.step, nil, "\(pool.name): the virtualenv for release \(release.id), built once here for \(hosts) host\(hosts == 1 ? "" : "s")")
        let start = run.elapsed
        defer { run.recorder.timePhase("venv", seconds: run.elapsed - start) }
        do throws(ReleaseError) {
            guard let bundle = try await builder.bundle(pool, release, target: target) else {
                run.emit(.info, nil, "\(pool.name): no \(pool.baseInterpreter) for Linux here: each host builds its own virtualenv with pip")
                return nil
            }
            run.emit(.done, nil, "\(pool.name): virtualenv \(bundle.hash) for python \(bundle.python) (\(bundle.tarGz.count / 1024) KiB)")
            return bundle
        } catch {
            run.emit(.info, nil, "\(pool.name): \(error); each host builds its own virtualenv with pip")
            return nil
        }
    }
}
