/// `plan`: what `up` would do, without changing anything on any host: inspect, build each
/// sourced pool's release locally, and read the files that would change to diff them.
struct PlanProcedure<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    func run() async -> PlanReport {
        let manifest = run.manifest, redactor = run.redactor, topology = run.topology
        var report = PlanReport(stack: manifest.name, hosts: run.plans.map { PlanReport.HostChangesReport(host: $0.host.name) })
        guard let inspected = await Inspection(run: run).inspect(), Readiness(run: run).exposesNothing(inspected) else {
            return failed(report)
        }
        var releases: [String: String] = [:]
        for pool in manifest.pools where pool.source != nil {
            guard let release = await Releases(run: run).build(pool) else { return failed(report) }
            releases[pool.name] = release.id
        }
        var statics: [String: String] = [:]
        for shipped in manifest.middle.shipped {
            guard let release = await StaticReleases(run: run).build(shipped) else { return failed(report) }
            statics[shipped.releaseName] = release.id
        }
        // Only files the host has and whose contents differ are read back (new ones diff against nothing).
        let updated: @Sendable (Inspected) -> [String] = { i in
            i.changes.files.filter { f in i.state.files[f.path].map { $0.sha256 != f.sha256 } ?? false }.map(\.path)
        }
        let fetched = await run.runner.run(inspected.filter { !updated($0).isEmpty }) { Scripts.fetch(updated($0)) }
        var old: [String: [String: String]] = [:], unread: [String: String] = [:]
        for o in fetched {
            switch o.result {
            case .success(let reply): old[o.host] = reply.contents
            case .failure(let failure): unread[o.host] = "its files could not be read to diff them: \(failure.message)"
            }
        }
        for i in inspected {
            var h = PlanReport.HostChangesReport(host: i.hostName)
            h.error = unread[i.hostName]
            for f in i.changes.files {
                let now = i.state.files[f.path]
                let change = now == nil ? "create" : now!.sha256 == f.sha256 ? "ownership" : "update"
                // A file that could not be read is named as changing, with no made-up diff.
                var before = now == nil ? "" : old[i.hostName]?[f.path]
                // A pool.json on a host may hold secrets the manifest no longer knows of.
                if let name = f.role.pool, f.path == topology.poolConfigPath(name), let text = before, !text.isEmpty {
                    let plain = manifest.pool(named: name).map { p in p.environment.filter { !p.secretKeys.contains($0.0) } } ?? []
                    before = PoolRenderer.masked(text, plain: plain) ?? "(not shown: it may hold secrets)\n"
                }
                let diff = change == "ownership" ? "" : f.file.secret ? "(contents not shown: a private key)\n"
                    : before.map { redactor(UnifiedDiff.diff(old: $0, new: f.file.contents, from: now == nil ? "/dev/null" : f.path, to: f.path)) } ?? ""
                h.files.append(.init(change: change, path: f.path, ownershipBefore: now?.ownership, ownership: f.ownership, diff: diff))
            }
            h.directories = i.changes.directories.map(\.path)
            for pool in manifest.pools where pool.hosts.contains(i.hostName) {
                for data in pool.data {
                    guard let spec = i.plan.directories.first(where: { $0.path == data.path }) else { continue }
                    let now = i.state.directories[data.path]
                    h.data.append(.init(pool: pool.name, name: data.name, path: data.path, variable: data.variable, ownership: spec.ownership,
                                        change: now == nil ? "create" : now == spec.ownership ? "kept" : "ownership"))
                }
            }
            for tier in i.plan.tiers {
                for action in Activation.actions(tier: tier, plan: i.plan, changes: i.changes, state: i.state) {
                    if case .commit = action { continue }
                    h.actions.append("\(tier.rawValue): \(action.intent)")
                }
            }
            for pool in manifest.pools where pool.hosts.contains(i.hostName) {
                guard let id = releases[pool.name], i.state.releases[pool.name] != id else { continue }
                h.releases.append(.init(pool: pool.name, from: i.state.releases[pool.name], to: id))
            }
            for (key, id) in statics.sorted(by: { $0.key < $1.key }) where i.plan.routes && i.state.releases[key] != id {
                h.releases.append(.init(pool: key, from: i.state.releases[key], to: id))
            }
            if let index = report.hosts.firstIndex(where: { $0.host == i.hostName }) { report.hosts[index] = h }
        }
        report.seconds = run.elapsed
        return report
    }

    func failed(_ plan: PlanReport) -> PlanReport {
        let run = run.finish()
        var plan = plan
        for h in run.hosts {
            guard let index = plan.hosts.firstIndex(where: { $0.host == h.host }) else { continue }
            plan.hosts[index].reachable = h.reachable
            plan.hosts[index].error = h.error
        }
        plan.failure = run.failure
        plan.failureStatus = run.exitCode
        plan.seconds = run.seconds
        return plan
    }
}
