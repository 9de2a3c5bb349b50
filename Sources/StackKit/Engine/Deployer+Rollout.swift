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

    public func rollout(pool name: String?, target: Target, batch: Int = 1, hosts only: [String]? = nil) async -> DeployReport {
        let start = clock.now
        let plans = plans()
        var report = DeployReport(stack: manifest.name, command: target == .previous ? "rollback" : "rollout", hosts: plans.map(\.host.name))
        let pools = manifest.pools.filter { name == nil ? $0.source != nil : $0.name == name }
        if let name, let pool = pools.first, pool.source == nil {
            report.fail(2, "pool '\(name)' has no 'source': there is no release to roll out")
        } else if pools.isEmpty {
            report.fail(2, name.map { "no pool named '\($0)'" } ?? "no pool has a 'source' to roll out")
        }
        if report.ok, let inspected = await inspect(plans, &report) {
            for pool in pools {
                guard await roll(pool, target: target, batch: batch, only: only, inspected, &report) else { break }
            }
        }
        report.seconds = seconds(since: start)
        return report
    }

    /// Builds a pool's release from its source; nil, with the failure recorded, when it cannot.
    func buildRelease(_ pool: Pool, _ report: inout DeployReport) async -> ReleaseArchive? {
        emit(.step, nil, "\(pool.name): building the release from \(pool.source?.path ?? "?")\(pool.source?.ref.map { " at \($0)" } ?? "")")
        do throws(ReleaseError) {
            let release = try await ReleaseBuilder.build(pool)
            emit(.done, nil, "\(pool.name): release \(release.id) (\(release.fileCount) files, \(release.tarGz.count / 1024) KiB)")
            return release
        } catch {
            report.fail(7, "\(pool.name): \(error)")
            emit(.failed, nil, error.description)
            return nil
        }
    }

    /// One pool; true when it finished (or had nothing to do). `prepared`: a release already
    /// built and prepared on the pool's hosts (by `up`), rolled out without doing that again.
    func roll(_ pool: Pool, target: Target, batch: Int, only: [String]?, _ inspected: [Inspected], _ report: inout DeployReport,
              prepared: ReleaseArchive? = nil) async -> Bool {
        let hostsOfPool = inspected.filter { pool.hosts.contains($0.plan.host.name) }
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
            for i in hostsOfPool { targets[i.plan.host.name] = release.id }
        case .previous:
            for i in hostsOfPool {
                guard let previous = i.state.previousReleases[pool.name] else {
                    report.fail(2, "\(i.plan.host.name): no previous release of pool \(pool.name) to roll back to")
                    return false
                }
                targets[i.plan.host.name] = previous
            }
        }
        let moving = hostsOfPool.filter { i in
            (only == nil || only!.contains(i.plan.host.name)) && i.state.releases[pool.name] != targets[i.plan.host.name]
        }
        guard !moving.isEmpty else {
            emit(.done, nil, "\(pool.name): every host already runs its release")
            return true
        }
        // A pool needs a host left serving while another is drained.
        let size = max(1, min(batch, pool.hosts.count - 1))
        if pool.hosts.count == 1 { emit(.info, nil, "\(pool.name) runs on one host: it cannot be drained, so requests may fail while it restarts") }
        for start in stride(from: 0, to: moving.count, by: size) {
            let group = Array(moving[start..<min(moving.count, start + size)])
            guard await rollBatch(pool, group, targets, drain: pool.hosts.count > 1, &report) else { return false }
        }
        _ = await FanOut.map(hostsOfPool, limit: parallel) { i in await self.attempt(i.plan.host.name, .script(Scripts.prune(pool, i.plan))) }
        return true
    }

    func prepare(_ pool: Pool, _ release: ReleaseArchive, _ hosts: [Inspected], _ report: inout DeployReport) async -> Bool {
        emit(.step, nil, "\(pool.name): preparing release \(release.id) on \(hosts.map(\.plan.host.name).joined(separator: ", "))")
        let outcomes = await FanOut.map(hosts, limit: parallel) { i in
            await self.attempt(i.plan.host.name, .script(Scripts.prepare(pool, release, i.plan), timeout: .seconds(900)))
        }
        var failed: [String] = []
        for (i, outcome) in zip(hosts, outcomes) {
            let host = i.plan.host.name
            guard let out = succeeded(host, outcome, &report) else {
                failed.append(host)
                continue
            }
            emit(.done, host, out.stdoutText.contains("already") ? "release \(release.id) already prepared" : "release \(release.id) prepared")
        }
        if !failed.isEmpty { report.fail(7, "release \(release.id) of \(pool.name) could not be prepared on \(failed.joined(separator: ", ")); no traffic moved") }
        return failed.isEmpty
    }

    func rollBatch(_ pool: Pool, _ group: [Inspected], _ targets: [String: String], drain: Bool, _ report: inout DeployReport) async -> Bool {
        let names = group.map(\.plan.host.name)
        let keys = Set(names.map { Topology.drainKey(pool: pool.name, host: $0) })
        if drain {
            emit(.step, nil, "\(pool.name): draining \(names.joined(separator: ", "))")
            guard await reloadMiddle(drained: keys, &report) else { return false }
            let waits = await FanOut.map(group, limit: parallel) { i in
                await self.attempt(i.plan.host.name, .script(Scripts.waitDrained(pool, i.plan, timeout: pool.drainTimeout), timeout: .seconds(Int64(pool.drainTimeout) + 30)))
            }
            for (name, w) in zip(names, waits) {
                if case .success(let out) = w, out.stdoutText.contains("@drain-timeout") {
                    emit(.info, name, "in-flight requests still open after \(Int(pool.drainTimeout)) s; going on")
                }
            }
        }
        let switched = await switchHosts(pool, group, targets, &report)
        let healthy = await gate([.workers], group.filter { switched.contains($0.plan.host.name) }, &report, pool: pool.name)
        var ok = switched.count == group.count && healthy
        if !ok {
            // Why the workers did not come up, from their own logs.
            let logs = await FanOut.map(group, limit: parallel) { i in await self.attempt(i.plan.host.name, .script(Scripts.lastLogLines(pool, i.plan))) }
            let lines = zip(names, logs).compactMap { name, out -> String? in
                guard case .success(let o) = out, let last = o.stdoutText.split(whereSeparator: \.isNewline).last else { return nil }
                return "\(name): \(last.prefix(300))"
            }
            for line in lines { emit(.info, nil, "last log line of \(line)") }
            if let first = lines.first, let failure = report.failure { report.failure = failure + "; last log line of " + first }
            // Back to what each host ran before, then serve again.
            let back = Dictionary(uniqueKeysWithValues: group.compactMap { i in i.state.releases[pool.name].map { (i.plan.host.name, $0) } })
            if !back.isEmpty {
                emit(.step, nil, "\(pool.name): switching \(back.keys.sorted().joined(separator: ", ")) back to the release they ran")
                var scratch = report
                _ = await switchHosts(pool, group.filter { back[$0.plan.host.name] != nil }, back, &scratch, restoring: true)
                _ = await gate([.workers], group, &scratch, pool: pool.name)
                for (name, id) in back { report.update(name) { $0.restarted.append("\(pool.name) back to \(id)") } }
            }
            ok = false
        }
        if drain {
            emit(.step, nil, "\(pool.name): putting \(names.joined(separator: ", ")) back")
            if !(await reloadMiddle(drained: [], &report)) { return false }
        }
        return ok
    }

    func switchHosts(_ pool: Pool, _ group: [Inspected], _ targets: [String: String], _ report: inout DeployReport, restoring: Bool = false) async -> Set<String> {
        let outcomes = await FanOut.map(group, limit: parallel) { i in
            let previous: String?? = restoring ? .some(i.state.previousReleases[pool.name]) : nil
            return await self.attempt(i.plan.host.name, .script(Scripts.switchRelease(pool, to: targets[i.plan.host.name]!, i.plan, previous: previous)))
        }
        var done = Set<String>()
        for (i, outcome) in zip(group, outcomes) {
            let host = i.plan.host.name, id = targets[host]!
            guard succeeded(host, outcome, &report) != nil else {
                report.fail(failureCode([host], report), "\(host): \(report.hosts.first { $0.host == host }?.error ?? "switch failed")")
                continue
            }
            done.insert(host)
            report.update(host) { $0.restarted.append("\(pool.name) on \(id)") }
            emit(.done, host, "\(pool.name) switched to release \(id) and restarted")
        }
        return done
    }

    /// Re-renders the middle tier's config with `drained` left out, checks it, and reloads gracefully.
    func reloadMiddle(drained: Set<String>, _ report: inout DeployReport) async -> Bool {
        let renderer = StackRenderer(manifest, platform: platform, drained: drained)
        let jobs = renderer.topology.activeHosts.filter { manifest.middle.hosts.contains($0.name) }.map { host -> (HostPlan, HostChanges) in
            let plan = HostPlan(renderer.render(host), topology: renderer.topology, platform: platform)
            return (plan, HostChanges(files: plan.files.filter { $0.path == renderer.topology.middleConfigPath }))
        }
        let outcomes = await FanOut.map(jobs, limit: parallel) { plan, changes -> Result<CommandOutput, TransportError> in
            guard let program = plan.programs(of: .middle).first else { return .success(CommandOutput(status: 0)) }
            let actions: [Action] = [.commit(changes.files.map(\.path)), .reload(ServiceControl.name(program, plan))]
            return await self.attempt(plan.host.name, .script(Scripts.stageAndActivate(actions, plan, changes)))
        }
        var ok = true
        for ((plan, _), outcome) in zip(jobs, outcomes) {
            switch outcome {
            case .success(let out) where out.status == 0:
                report.update(plan.host.name) { r in if !r.reloaded.contains(plan.topology.middleUnit) { r.reloaded.append(plan.topology.middleUnit) } }
            case .success(let out):
                ok = false
                report.fail(6, "\(plan.host.name): the middle tier could not be reloaded: \(Markers(out.stdoutText).failureText(fallback: out.stderrText))")
            case .failure(let error):
                ok = false
                report.fail(3, "\(plan.host.name): \(error.reason)")
            }
        }
        return ok
    }
}
