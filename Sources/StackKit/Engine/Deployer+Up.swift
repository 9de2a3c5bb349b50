extension Deployer {
    public func up() async -> DeployReport {
        let start = clock.now
        let plans = plans()
        var report = DeployReport(stack: manifest.name, command: "up", hosts: plans.map(\.host.name))
        // Releases are placed before staging: a fresh host's units and launcher are checked
        // against the release they will run (systemd verifies that ExecStart's interpreter, in
        // the release's virtualenv, exists). Nothing serves from them until activation.
        guard let inspected = await inspect(plans, &report, probing: true), exposesNothing(inspected, &report),
              !stopRequested(&report, "before changing anything"),
              await placeStatic(inspected, &report), let stale = await placeReleases(inspected, &report), !stopRequested(&report, "before staging (releases prepared, none live)"),
              await stage(inspected, &report) else {
            report.seconds = seconds(since: start)
            return report
        }
        await bringUp(inspected, changedPools: changedPools(inspected, report), &report)
        // Hosts running an older release move to the new one without dropping a request.
        for (pool, stale) in stale.sorted(by: { $0.key < $1.key }) where report.ok && !stopRequested(&report, "before rolling \(pool) to its new release") {
            guard let p = manifest.pool(named: pool) else { continue }
            _ = await roll(p, target: .newRelease, batch: .one, only: stale.hosts, inspected, &report, prepared: stale.release)
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
            guard await prepare(pool, release, behind, &report), await runReleaseHook(pool, release: release.id, on: behind, &report) else { return nil }
            let fresh = behind.filter { $0.state.releases[pool.name] == nil }
            let linked = await phase(fresh, &report) { Scripts.switchRelease(pool, to: release.id, $0.plan, restart: false) }
            for (i, _) in linked.done { report.update(i.hostName) { $0.releases[pool.name] = release.id } }
            if let host = linked.failedHosts.first {
                report.fail(linked.failureStatus, "\(host): release \(release.id) of \(pool.name) could not be linked")
                return nil
            }
            let older = behind.filter { $0.state.releases[pool.name] != nil }.map(\.plan.host.name)
            if !older.isEmpty { stale[pool.name] = (release, older) }
        }
        return stale
    }

    /// The validator compared the paths as written; a middle host may resolve them elsewhere
    /// through a symlink. Any static directory that resolves into code or stackctl's own
    /// files stops the run before anything changes.
    func exposesNothing(_ inspected: [Inspected], _ report: inout DeployReport) -> Bool {
        var problems: [String] = []
        let written = Dictionary(StaticExposure.served(manifest).map { ($0.key, $0.path) }, uniquingKeysWith: { a, _ in a })
        for i in inspected where i.plan.routes {
            for e in StaticExposure.find(manifest, resolve: { i.state.resolved[$0] }) {
                let verb = e.contains ? "would serve" : "lies inside"
                problems.append("\(e.served.what) '\(written[e.served.key] ?? "")' resolves on \(i.hostName) to '\(e.served.path)', which \(verb) \(e.protected.what) (\(e.protected.path))")
            }
        }
        guard !problems.isEmpty else { return true }
        for p in problems { emit(.failed, nil, p) }
        report.fail(.refused, problems[0] + (problems.count > 1 ? " (and \(problems.count - 1) more)" : "") + "; nothing was changed")
        return false
    }

    /// Writes changed files beside their targets and runs each server's own check on them.
    /// If any host refuses a config, every host's staged files are removed and nothing goes live.
    func stage(_ inspected: [Inspected], _ report: inout DeployReport) async -> Bool {
        let changed = inspected.filter { !$0.changes.isEmpty }
        guard !changed.isEmpty else { return true }
        emit(.step, nil, "uploading and validating on \(changed.count) host\(changed.count == 1 ? "" : "s")")
        let judged = await phase(changed, &report) { Scripts.stage($0.plan, $0.changes) }
        for (i, reply) in judged.done {
            report.update(i.hostName) { $0.uploaded = i.changes.files.map(\.path); $0.validated = reply.validated }
            emit(.done, i.hostName, "uploaded \(i.changes.files.count) file(s), \(reply.validated.count) validated")
        }
        for (i, failure) in judged.failed {
            if case .script(_, let output) = failure { report.update(i.hostName) { $0.validated = StageReply(output).validated } }
        }
        guard !judged.ok else { return true }
        let hosts = judged.failedHosts.joined(separator: ", ")
        // A script that ran and failed is the host refusing the change: a server's check, or a
        // staging step (an owner that does not exist there). Otherwise the host was not reached.
        let checked = judged.failed.contains { if case .script(_, let output) = $0.failure { output.has(.invalid) } else { false } }
        let staged = judged.failed.contains { if case .script = $0.failure { true } else { false } }
        if checked {
            report.fail(.refused, "refused by the server's own check on \(hosts); the running configs were not touched")
        } else if staged {
            report.fail(.refused, "could not be staged on \(hosts); the running configs were not touched")
        } else {
            report.fail(judged.failureStatus, "staging failed on \(hosts); the running configs were not touched")
        }
        // Hosts that refused a config removed their staged files themselves.
        _ = await phase(judged.done.map(\.item), &report) { Scripts.cleanup($0.changes) }
        return false
    }

    /// A host's activation of one tier: its staged files and the actions they call for.
    struct Activating: OnHost {
        var inspected: Inspected
        var actions: [Action]
        var hostName: String { inspected.hostName }
    }

    /// Runs each host's actions for `tier`; returns, per host, the programs it started,
    /// restarted or reloaded (nil when a host failed). Each host's script then asks the tier's
    /// probes itself: `answers` gets them, for the gate.
    func activate(_ tier: Tier, _ hosts: [Inspected], _ report: inout DeployReport, answers: inout [String: [UInt8]]) async -> [String: Set<String>]? {
        let work = hosts.map { Activating(inspected: $0, actions: Activation.actions(tier: tier, plan: $0.plan, changes: $0.changes, state: $0.state)) }
            .filter { !$0.actions.isEmpty }
        guard !work.isEmpty else { return [:] }
        emit(.step, nil, "\(tier.rawValue): activating on \(work.map(\.hostName).joined(separator: ", "))")
        let t = topology
        let judged = await phase(work, &report) { job in
            let probes = Self.probes([tier], job.inspected.plan, t)
            return Scripts.activate(job.actions, job.inspected.plan, job.inspected.changes, probes: probes.map(\.exchange),
                                    wait: min(probes.map(\.timeout).min() ?? 0, Self.listenWait))
        }
        var touched: [String: Set<String>] = [:]
        for (job, reply) in judged.done {
            answers[job.hostName] = reply.probes
            // Nothing of this tier changed: whatever it starts was not running, and is repaired.
            let repair = !job.actions.contains { if case .commit = $0 { true } else { false } }
            report.update(job.hostName) { r in
                for action in job.actions {
                    switch action {
                    case .start(let names):
                        r.started += names
                        if repair { r.repaired += names.map { "\($0): it was not running" } }
                    case .restart(let names): r.restarted += names
                    case .reload(let name): r.reloaded.append(name)
                    default: break
                    }
                }
            }
            for action in job.actions {
                switch action {
                case .start(let names), .restart(let names): touched[job.hostName, default: []].formUnion(names)
                case .reload(let name): touched[job.hostName, default: []].insert(name)
                default: break
                }
            }
            emit(.done, job.hostName, (repair ? "not running, so " : "") + job.actions.map(\.summary).joined(separator: "; "))
        }
        if !judged.ok { report.fail(judged.failureStatus, "\(tier.rawValue) could not be started on \(judged.failedHosts.joined(separator: ", "))") }
        return judged.ok ? touched : nil
    }
}
