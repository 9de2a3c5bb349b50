/// Rolling a pool to a release, host batch by host batch, with no request dropped: prepare the
/// release everywhere first; then for each batch drain it from the middle tier, wait for
/// in-flight requests, switch and restart, health-gate, and put it back. A batch that fails its
/// gate is switched back to the release it ran, put back, and the rollout stops there.
extension Deployer {
    public enum Target: Sendable {
        /// The pool's source as it is now.
        case newRelease
        /// Each host's previous release.
        case previous
    }

    public func rollout(pool name: String?, target: Target, batch: BatchSize = .one, hosts only: [String]? = nil) async -> DeployReport {
        let start = clock.now
        let plans = plans()
        var report = DeployReport(stack: manifest.name, command: target == .previous ? "rollback" : "rollout", hosts: plans.map(\.host.name))
        var pools = manifest.pools.filter { name == nil ? $0.source != nil : $0.name == name }
        if let name, let pool = pools.first, pool.source == nil {
            report.fail(.usage, "pool '\(name)' has no 'source': there is no release to roll out")
        } else if pools.isEmpty {
            report.fail(.usage, name.map { "no pool named '\($0)'" } ?? "no pool has a 'source' to roll out")
        }
        if report.ok, let inspected = await inspect(plans, &report), !stopRequested(&report, "before changing anything") {
            // The new release's assets are live (with the old ones) before any worker switches.
            if case .newRelease = target, !(await placeStatic(inspected, &report)) { pools = [] }
            for pool in pools {
                guard await roll(pool, target: target, batch: batch, only: only, inspected, &report) else { break }
            }
        }
        report.seconds = seconds(since: start)
        return report
    }

    /// Builds a pool's release from its source; nil, with the failure recorded, when it cannot.
    func buildRelease(_ pool: Pool, _ report: inout DeployReport) async -> ReleaseArchive? {
        guard let source = pool.source else { return nil }
        return await build(pool.name, source, &report) { () async throws(ReleaseError) in try await ReleaseBuilder.build(pool) }
    }

    /// One release built (a pool's or a static directory's, named `label`), said as it goes.
    func build(_ label: String, _ source: ReleaseSource, _ report: inout DeployReport,
               _ make: () async throws(ReleaseError) -> ReleaseArchive) async -> ReleaseArchive? {
        emit(.step, nil, "\(label): building the release from \(source.path)\(source.ref.map { " at \($0)" } ?? "")")
        do throws(ReleaseError) {
            let start = stopwatch.elapsed()
            let release = try await make()
            report.timePhase("build", seconds: (stopwatch.elapsed() - start).inSeconds)
            emit(.done, nil, "\(label): release \(release.id) (\(release.fileCount) files, \(release.tarGz.count / 1024) KiB)")
            return release
        } catch {
            report.fail(.releaseFailed, "\(label): \(error)")
            emit(.failed, nil, error.description)
            return nil
        }
    }

    /// One pool; true when it finished (or had nothing to do). `prepared`: a release already
    /// built and prepared on the pool's hosts (by `up`), rolled out without doing that again.
    func roll(_ pool: Pool, target: Target, batch: BatchSize, only: [String]?, _ inspected: [Inspected], _ report: inout DeployReport,
              prepared: ReleaseArchive? = nil) async -> Bool {
        let hostsOfPool = inspected.filter { pool.hosts.contains($0.hostName) }
        var targets: [String: String] = [:]
        switch target {
        case .newRelease:
            let release: ReleaseArchive
            if let prepared {
                release = prepared
            } else {
                guard let built = await buildRelease(pool, &report), await prepare(pool, built, hostsOfPool, &report) else { return false }
                release = built
            }
            for i in hostsOfPool { targets[i.hostName] = release.id }
        case .previous:
            for i in hostsOfPool {
                guard let previous = i.state.previousReleases[pool.name] else {
                    report.fail(.noPreviousRelease, "\(i.hostName): no previous release of pool \(pool.name) to roll back to")
                    return false
                }
                targets[i.hostName] = previous
            }
        }
        let moving = hostsOfPool.filter { i in (only == nil || only!.contains(i.hostName)) && i.state.releases[pool.name] != targets[i.hostName] }
        guard !moving.isEmpty else {
            emit(.done, nil, "\(pool.name): every host already runs its release")
            return true
        }
        // A release `up` prepared had its hook run there; a rollback runs none.
        if case .newRelease = target, prepared == nil, let id = targets.values.first {
            guard await runReleaseHook(pool, release: id, on: hostsOfPool, &report) else { return false }
        }
        if pool.hosts.count == 1 { emit(.info, nil, "\(pool.name) runs on one host: it cannot be drained, so requests may fail while it restarts") }
        var done: [String] = []
        let drain = pool.hosts.count > 1
        // The batch before, moved and healthy: it goes back into service with the next batch's
        // drain, in the same reload of the middle tier (or alone after the last batch).
        var rolled: [Inspected] = []
        for group in batches(moving, batch: batch, of: pool.hosts.count) {
            defer { done += group.map(\.hostName) }
            if stopRequested(&report, done.isEmpty ? "before \(pool.name) moved on any host" : "after \(pool.name) moved on \(done.joined(separator: ", ")) (each put back in service)") {
                if !rolled.isEmpty { _ = await putBack(pool, rolled, &report) }
                return false
            }
            guard await rollBatch(pool, group, targets, drain: drain, returning: rolled, &report) else { return false }
            rolled = drain ? group : []
        }
        // Each switch pruned its host's old releases.
        if !rolled.isEmpty { guard await putBack(pool, rolled, &report) else { return false } }
        return true
    }

    func prepare(_ pool: Pool, _ release: ReleaseArchive, _ hosts: [Inspected], _ report: inout DeployReport) async -> Bool {
        emit(.step, nil, "\(pool.name): preparing release \(release.id) on \(hosts.map(\.hostName).joined(separator: ", "))")
        let judged = await phase(hosts, &report) { Scripts.prepare(pool, release, $0.plan) }
        for (i, reply) in judged.done { emit(.done, i.hostName, reply.already ? "release \(release.id) already prepared" : "release \(release.id) prepared") }
        if !judged.ok {
            report.fail(.releaseFailed, "release \(release.id) of \(pool.name) could not be prepared on \(judged.failedHosts.joined(separator: ", ")); no traffic moved")
        }
        return judged.ok
    }
}
