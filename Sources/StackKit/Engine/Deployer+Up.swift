import Foundation

extension Deployer {
    public func up() async -> DeployReport {
        let start = clock.now
        let plans = plans()
        var report = DeployReport(stack: manifest.name, command: "up", hosts: plans.map(\.host.name))
        guard let inspected = await inspect(plans, &report), await stage(inspected, &report) else {
            report.seconds = seconds(since: start)
            return report
        }
        guard let stale = await placeReleases(inspected, &report) else {
            report.seconds = seconds(since: start)
            return report
        }
        let tiers = [Program.Tier.workers, .middle, .front]
        let idle = stale.isEmpty && inspected.allSatisfy { i in
            tiers.allSatisfy { Activation.actions(tier: $0, plan: i.plan, changes: i.changes, state: i.state).isEmpty }
        }
        if idle {
            // Nothing to start or change: verify every tier at once, one round trip per host.
            _ = await gate(tiers, inspected, &report)
        } else {
            for tier in tiers {
                let hosts = inspected.filter { $0.plan.tiers.contains(tier) }
                guard !hosts.isEmpty else { continue }
                guard await activate(tier, hosts, &report), await gate([tier], hosts, &report) else { break }
            }
        }
        // Hosts running an older release move to the new one without dropping a request.
        for (pool, stale) in stale.sorted(by: { $0.key < $1.key }) where report.ok {
            guard let p = manifest.pool(named: pool) else { continue }
            _ = await roll(p, target: .newRelease, batch: 1, only: stale.hosts, inspected, &report, prepared: stale.release)
        }
        report.seconds = seconds(since: start)
        return report
    }

    /// Prepares each sourced pool's release on its hosts and links it as `current` where the pool
    /// has none yet (before its workers first start). Returns, per pool, the hosts that run an
    /// older release, with that release: those are rolled after the tiers are up. Nil when a
    /// release failed.
    func placeReleases(_ inspected: [Inspected], _ report: inout DeployReport) async -> [String: (release: ReleaseArchive, hosts: [String])]? {
        var stale: [String: (release: ReleaseArchive, hosts: [String])] = [:]
        for pool in manifest.pools where pool.source != nil {
            let hosts = inspected.filter { pool.hosts.contains($0.plan.host.name) }
            guard let release = await buildRelease(pool, &report) else { return nil }
            let behind = hosts.filter { $0.state.releases[pool.name] != release.id }
            guard !behind.isEmpty else { continue }
            guard await prepare(pool, release, behind, &report) else { return nil }
            let fresh = behind.filter { $0.state.releases[pool.name] == nil }
            let outcomes = await FanOut.map(fresh, limit: parallel) { i in
                await self.attempt(i.plan.host.name, .script(Scripts.switchRelease(pool, to: release.id, i.plan, restart: false)))
            }
            for (i, outcome) in zip(fresh, outcomes) {
                let host = i.plan.host.name
                guard succeeded(host, outcome, &report) != nil else {
                    report.fail(failureCode([host], report), "\(host): release \(release.id) of \(pool.name) could not be linked")
                    return nil
                }
            }
            let older = behind.filter { $0.state.releases[pool.name] != nil }.map(\.plan.host.name)
            if !older.isEmpty { stale[pool.name] = (release, older) }
        }
        return stale
    }

    func seconds(since start: C.Instant) -> Double { start.duration(to: clock.now).inSeconds }

    /// Writes changed files beside their targets and runs each server's own check on them.
    /// If any host refuses a config, every host's staged files are removed and nothing goes live.
    func stage(_ inspected: [Inspected], _ report: inout DeployReport) async -> Bool {
        let changed = inspected.filter { !$0.changes.isEmpty }
        guard !changed.isEmpty else { return true }
        emit(.step, nil, "uploading and validating on \(changed.count) host\(changed.count == 1 ? "" : "s")")
        let outcomes = await FanOut.map(changed, limit: parallel) { i in
            await self.attempt(i.plan.host.name, .script(Scripts.stage(i.plan, i.changes)))
        }
        var failed: [String] = []
        for (i, outcome) in zip(changed, outcomes) {
            let host = i.plan.host.name
            if case .success(let out) = outcome { report.update(host) { $0.validated = Markers(out.stdoutText).values("@valid") } }
            guard let out = succeeded(host, outcome, &report), Markers(out.stdoutText).has("@staged") else {
                failed.append(host)
                continue
            }
            report.update(host) { $0.uploaded = i.changes.files.map(\.path) }
            emit(.done, host, "uploaded \(i.changes.files.count) file(s), \(Markers(out.stdoutText).values("@valid").count) validated")
        }
        guard !failed.isEmpty else { return true }
        report.fail(4, "refused by the server's own check on \(failed.joined(separator: ", ")); the running configs were not touched")
        // Hosts that refused a config removed their staged files themselves.
        let staged = changed.filter { !failed.contains($0.plan.host.name) }
        _ = await FanOut.map(staged, limit: parallel) { i in
            await self.attempt(i.plan.host.name, .script(Scripts.cleanup(i.changes)))
        }
        return false
    }

    func activate(_ tier: Program.Tier, _ hosts: [Inspected], _ report: inout DeployReport) async -> Bool {
        let work = hosts.map { ($0, Activation.actions(tier: tier, plan: $0.plan, changes: $0.changes, state: $0.state)) }.filter { !$0.1.isEmpty }
        guard !work.isEmpty else { return true }
        emit(.step, nil, "\(tier.rawValue): activating on \(work.map(\.0.plan.host.name).joined(separator: ", "))")
        let outcomes = await FanOut.map(work, limit: parallel) { i, actions in
            await self.attempt(i.plan.host.name, .script(Scripts.activate(actions, i.plan, i.changes)))
        }
        var failed: [String] = []
        for ((i, actions), outcome) in zip(work, outcomes) {
            let host = i.plan.host.name
            guard succeeded(host, outcome, &report) != nil else {
                failed.append(host)
                continue
            }
            report.update(host) { r in
                for action in actions {
                    switch action {
                    case .start(let names): r.started += names
                    case .restart(let names): r.restarted += names
                    case .reload(let name): r.reloaded.append(name)
                    default: break
                    }
                }
            }
            emit(.done, host, actions.map(\.summary).joined(separator: "; "))
        }
        if !failed.isEmpty { report.fail(failureCode(failed, report), "\(tier.rawValue) could not be started on \(failed.joined(separator: ", "))") }
        return failed.isEmpty
    }
}
