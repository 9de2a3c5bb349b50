/// Shipped static directories: each one's release is built from its local source and put live
/// on every middle host, served together with the release before it, before any worker
/// switches (in `up` and in a rollout). A page of either release finds its assets until the
/// next release of the directory.
struct StaticReleases<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    func build(_ shipped: ShippedStatic) async -> ReleaseArchive? {
        await Releases(run: run).build("static \(shipped.name)", shipped.source) { () async throws(ReleaseError) in try await ReleaseBuilder.build(shipped) }
    }

    /// False, with the failure recorded (exit 7), when a release could not be built or placed.
    /// `built`: the releases already built, by `ShippedStatic.releaseName` (`up` builds them before its
    /// inspect); one not there is built here.
    func place(_ inspected: [Inspected], built: [String: ReleaseArchive]? = nil) async -> Bool {
        let manifest = run.manifest
        let middles = inspected.filter { $0.plan.routes }
        for shipped in manifest.middle.shipped {
            let key = shipped.releaseName
            guard let release = if let ready = built?[key] { ready } else { await build(shipped) } else { return false }
            let behind = middles.filter { $0.state.releases[key] != release.id }
            guard !behind.isEmpty else { continue }
            run.emit(.step, nil, "static \(shipped.name): release \(release.id) live on \(behind.names), with the one before it")
            let keep = manifest.middle.staticKeepReleases
            let judged = await run.phase(behind) { Scripts.placeStatic(shipped, release, keep: keep, $0.plan) }
            for (i, reply) in judged.done {
                run.recorder.update(i.hostName) { $0.releases[key] = release.id }
                run.emit(.done, i.hostName, "static \(shipped.name): \(reply.from ?? "none") -> \(release.id)")
            }
            if !judged.ok {
                run.recorder.fail(judged.failedHosts.count == behind.count && judged.failureStatus == .unreachable ? .unreachable : .releaseFailed,
                            "static \(shipped.name): release \(release.id) could not be placed on \(judged.failedHosts.joined(separator: ", ")); "
                                + "no worker switched")
                return false
            }
        }
        return true
    }
}
