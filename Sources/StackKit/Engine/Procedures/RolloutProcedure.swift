/// `rollout` and `rollback`: a pool's workers moved to a release, host batch by host batch,
/// with no request dropped. The release is prepared everywhere first; then each batch of the
/// `RollingPlan` is drained from the middle, switched and restarted, gated, and put back. A
/// batch that fails its gate is switched back to the release it ran, put back, and the rollout
/// stops there.
struct RolloutProcedure<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>
    /// The pool named; nil: every pool with a source.
    let pool: String?
    var target: RolloutTarget
    var batch: BatchSize
    /// Only these hosts move (`--hosts`).
    var only: [String]?
    /// How many hosts may fail their gate before the rollout stops (`--max-fail`).
    var maxFail = FailLimit.none
    /// `--pause` or `--continue` (a rollback resumes a paused rollout too, by taking its lock).
    var pause = RolloutPause.none
    /// Whether `batch` was asked for; else a resumed rollout takes the batches its pause left.
    var batchGiven = true

    func run() async -> DeployReport {
        var pools = run.manifest.pools.filter { pool == nil ? $0.source != nil : $0.name == pool }
        if let name = pool, let p = pools.first, p.source == nil {
            run.recorder.fail(.usage, "pool '\(name)' has no 'source': there is no release to roll out")
        } else if pools.isEmpty {
            run.recorder.fail(.usage, pool.map { "no pool named '\($0)'" } ?? "no pool has a 'source' to roll out")
        }
        guard run.recorder.ok, let inspected = await Inspection(run: run).inspect(), !run.stopRequested("before changing anything") else {
            return run.finish()
        }
        // A paused rollout taken over: only its pool, only the hosts it concerns.
        if let paused = run.lock?.resumed?.paused {
            if let name = pool, name != paused.pool {
                run.recorder.fail(.usage, "the paused rollout is of pool \(paused.pool), not \(name); \(PausedRollout.next)")
                return run.finish()
            }
            return await resume(paused, inspected)
        }
        if pause == .resume {
            run.recorder.fail(.usage, "no rollout is paused: there is nothing to continue")
            return run.finish()
        }
        if pause == .afterFirstBatch, pools.count > 1 {
            run.recorder.fail(.usage, "--pause pauses one pool's rollout: name the pool (\(pools.map(\.name).joined(separator: ", ")))")
            return run.finish()
        }
        // The new release's assets are live (with the old ones) before any worker switches.
        if case .newRelease = target, !(await StaticReleases(run: run).place(inspected)) { pools = [] }
        for p in pools {
            guard await roll(p, inspected) else { break }
        }
        return run.finish()
    }

    /// The release each of the pool's hosts moves to; nil, with the failure recorded, when there
    /// is none. A new release is built and prepared here unless `up` did (`prepared`).
    func targets(_ pool: Pool, _ hosts: [Inspected], prepared: ReleaseArchive?) async -> [String: String]? {
        switch target {
        case .newRelease:
            let releases = Releases(run: run)
            var release = prepared
            if release == nil {
                guard let built = await releases.build(pool), await releases.prepare(pool, built, hosts) else { return nil }
                release = built
            }
            return Dictionary(uniqueKeysWithValues: hosts.map { ($0.hostName, release!.id) })
        case .release(let id):
            return Dictionary(uniqueKeysWithValues: hosts.map { ($0.hostName, id) })
        case .previous:
            var targets: [String: String] = [:]
            for i in hosts where only?.contains(i.hostName) ?? true {
                guard let previous = i.state.previousReleases[pool.name] else {
                    run.recorder.fail(.noPreviousRelease, "\(i.hostName): no previous release of pool \(pool.name) to roll back to")
                    return nil
                }
                targets[i.hostName] = previous
            }
            return targets
        }
    }

    /// One pool; true when it finished (or had nothing to do). `prepared`: a release already
    /// built and prepared on the pool's hosts (by `up`), rolled out without doing that again.
    func roll(_ pool: Pool, _ inspected: [Inspected], prepared: ReleaseArchive? = nil) async -> Bool {
        let hostsOfPool = inspected.filter { pool.hosts.contains($0.hostName) }
        guard let targets = await targets(pool, hostsOfPool, prepared: prepared) else { return false }
        let moving = hostsOfPool.filter { i in (only?.contains(i.hostName) ?? true) && i.state.releases[pool.name] != targets[i.hostName] }
        guard !moving.isEmpty else {
            run.emit(.done, nil, "\(pool.name): every host already runs its release")
            return true
        }
        // A release `up` prepared had its hook run there; a rollback runs none.
        if case .newRelease = target, prepared == nil, let id = targets.values.first {
            guard await ReleaseHook(run: run).execute(pool, release: id, on: hostsOfPool) else { return false }
        }
        if pool.hosts.count == 1 {
            run.emit(.info, nil, "\(pool.name) runs on one host: it cannot be drained, so requests may fail while it restarts")
        }
        let plan = RollingPlan.rollout(pool: pool.name, moving: moving.map(\.hostName), batch: batch, of: pool.hosts.count)
        let rotation = Rotation(run: run)
        func hosts(_ names: [String]) -> [Inspected] { moving.filter { names.contains($0.hostName) } }
        var done: [String] = [], failed: [String] = []
        let allowed = maxFail.allowed(of: moving.count)
        for batch in plan.batches {
            let point = done.isEmpty ? "before \(pool.name) moved on any host"
                : "after \(pool.name) moved on \(done.joined(separator: ", ")) (each put back in service)"
            if run.stopRequested(point) {
                if !batch.returning.isEmpty { _ = await rotation.putBack(pool, hosts(batch.returning)) }
                return false
            }
            guard await move(pool, batch, hosts(batch.hosts), hosts(batch.returning), targets) else {
                failed += batch.hosts
                // A host that cannot be reached stops it whatever the limit: it may be anywhere.
                guard failed.count <= allowed, run.recorder.current.exitCode == .unhealthy else {
                    if allowed > 0 {
                        let hosts = "\(failed.count) host\(failed.count == 1 ? "" : "s")"
                        run.emit(.failed, nil, "\(pool.name): \(hosts) failed, over --max-fail \(maxFail); stopping")
                    }
                    return false
                }
                run.emit(.info, nil, "\(pool.name): \(batch.hosts.joined(separator: ", ")) failed its gate and went back to its release; "
                    + "\(failed.count) of at most \(allowed) failed, going on (--max-fail \(maxFail))")
                continue
            }
            done += batch.hosts
            // Each switch pruned its host's old releases.
            if batch.putBack { guard await rotation.putBack(pool, hosts(batch.hosts)) else { return false } }
            if pause == .afterFirstBatch, batch != plan.batches.last {
                return await paused(pool, batch, hosts(batch.hosts), release: targets[batch.hosts[0]] ?? "")
            }
        }
        return true
    }

    /// `--pause`: the first batch, healthy, back in service beside the others on their old
    /// release; the run ends holding the lock for `--continue` or `rollback`.
    func paused(_ pool: Pool, _ batch: RollingPlan.Batch, _ group: [Inspected], release: String) async -> Bool {
        if batch.drain, !batch.putBack { guard await Rotation(run: run).putBack(pool, group) else { return false } }
        let paused = PausedRollout(pool: pool.name, release: release, moved: batch.hosts,
                                   batch: RolloutPause.rest(of: self.batch).description)
        run.recorder.edit { $0.paused = paused }
        run.emit(.done, nil, "paused: \(paused.summary), serving beside the others; the lock stays held; \(PausedRollout.next)")
        return false
    }

    /// A paused rollout taken over: `--continue` moves the hosts left to its release, in the
    /// batches it left (or `--batch`); `rollback` moves its canary hosts back.
    func resume(_ paused: PausedRollout, _ inspected: [Inspected]) async -> DeployReport {
        guard let pool = run.manifest.pool(named: paused.pool) else {
            run.recorder.fail(.usage, "the paused rollout's pool \(paused.pool) is not in the manifest; 'stackctl lock release' ends the pause")
            return run.finish()
        }
        var rest = self
        rest.pause = .none
        if target == .previous {
            rest.only = paused.moved
        } else {
            rest.target = .release(paused.release)
            if !batchGiven { rest.batch = paused.batch.flatMap(BatchSize.init) ?? .one }
        }
        if await rest.roll(pool, inspected) { return run.finish() }
        // Failed part way: still paused, with the hosts that now run the canary's release.
        let now = run.recorder.current
        let moved = pool.hosts.filter { host in
            (now.hosts.first { $0.host == host }?.releases[pool.name] ?? inspected.first { $0.hostName == host }?.state.releases[pool.name])
                == paused.release
        }
        if !moved.isEmpty, now.hosts.contains(where: { !$0.unchanged }) {
            let still = PausedRollout(pool: pool.name, release: paused.release, moved: moved, batch: paused.batch)
            run.recorder.edit { $0.paused = still }
            run.emit(.info, nil, "still paused: \(still.summary); \(PausedRollout.next)")
        }
        return run.finish()
    }

    /// One batch: drained (putting the batch before back in the same reload), switched and
    /// restarted, gated; switched back and put back when it fails.
    func move(_ pool: Pool, _ batch: RollingPlan.Batch, _ group: [Inspected], _ returning: [Inspected], _ targets: [String: String]) async -> Bool {
        let rotation = Rotation(run: run)
        // The switch waits for the drain itself.
        if batch.drain { guard await rotation.drain(pool, group, returning: returning, wait: false) else { return false } }
        let switched = await rotation.switchHosts(pool, group, targets, drain: batch.drain)
        let moved = group.filter { switched[$0.hostName] != nil }
        // The switch asked the workers itself once they restarted: hosts whose answers are all
        // healthy are not asked again.
        let healthy = await HealthGate(run: run).gate([batch.gate], moved, GatePolicy(pool: pool.name), answered: switched.compactMapValues { $0 }).ok
        guard switched.count == group.count && healthy else {
            await rotation.switchBack(pool, group)
            if batch.drain { _ = await rotation.putBack(pool, group) }
            return false
        }
        return true
    }
}
