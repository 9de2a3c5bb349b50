/// One batch of a rollout: drain, switch, gate, switch back on failure, put back.
extension Deployer {
    /// `returning`: the batch before, still out of rotation: the drain of this one puts it back.
    /// A batch that fails is switched back and everything goes back into rotation.
    func rollBatch(_ pool: Pool, _ group: [Inspected], _ targets: [String: String], drain: Bool, returning: [Inspected] = [], _ report: inout DeployReport) async -> Bool {
        // The switch waits for the drain itself.
        if drain { guard await self.drain(pool, group, returning: returning, wait: false, &report) else { return false } }
        let switched = await switchHosts(pool, group, targets, drain: drain, &report)
        let moved = group.filter { switched[$0.hostName] != nil }
        // The switch asked the workers itself once they restarted: hosts whose answers are all
        // healthy are not asked again.
        let healthy = await gate([.workers], moved, &report, GatePolicy(pool: pool.name), answered: switched.compactMapValues { $0 }).ok
        guard switched.count == group.count && healthy else {
            await switchBack(pool, group, &report)
            if drain { _ = await putBack(pool, group, &report) }
            return false
        }
        return true
    }

    /// Takes a batch out of the middle's rotation for `pool` (putting `returning` back in the
    /// same reload) and, with `wait`, waits for its in-flight requests.
    func drain(_ pool: Pool, _ group: [Inspected], returning: [Inspected] = [], wait: Bool = true, _ report: inout DeployReport) async -> Bool {
        let names = group.map(\.hostName).joined(separator: ", ")
        emit(.step, nil, returning.isEmpty ? "\(pool.name): draining \(names)"
            : "\(pool.name): putting \(returning.map(\.hostName).joined(separator: ", ")) back and draining \(names)")
        guard await reloadMiddle(drained: Set(group.map { Topology.drainKey(pool: pool.name, host: $0.hostName) }), &report) else { return false }
        guard wait else { return true }
        let waits = await phase(group, &report) { Scripts.waitDrained(pool, $0.plan, timeout: pool.drainTimeout) }
        for (i, reply) in waits.done { stillOpen(reply, pool, on: i.hostName) }
        return true
    }

    /// Says when a drain's wait ran out with requests still open.
    func stillOpen(_ reply: DrainReply, _ pool: Pool, on host: String) {
        guard reply.stillOpen > 0 else { return }
        emit(.info, host, "\(reply.stillOpen) in-flight request(s) still open after \(Int(pool.drainTimeout)) s; going on")
    }

    /// Puts drained hosts back into the middle's rotation.
    func putBack(_ pool: Pool, _ group: [Inspected], _ report: inout DeployReport) async -> Bool {
        emit(.step, nil, "\(pool.name): putting \(group.map(\.hostName).joined(separator: ", ")) back")
        return await reloadMiddle(drained: [], &report)
    }

    /// `hosts` in batches of `batch`, at most all but one of the `total` hosts that serve (one
    /// keeps serving while the others are drained or restarted).
    func batches(_ hosts: [Inspected], batch: BatchSize, of total: Int) -> [[Inspected]] {
        let size = batch.size(of: total)
        return stride(from: 0, to: hosts.count, by: size).map { Array(hosts[$0..<min(hosts.count, $0 + size)]) }
    }

    /// Back to what each host ran before, restarted; the report says, per host, whether that worked.
    func switchBack(_ pool: Pool, _ group: [Inspected], _ report: inout DeployReport) async {
        let back = Dictionary(uniqueKeysWithValues: group.compactMap { i in i.state.releases[pool.name].map { (i.hostName, $0) } })
        guard !back.isEmpty else { return }
        emit(.step, nil, "\(pool.name): switching \(back.keys.sorted().joined(separator: ", ")) back to the release they ran")
        // The run has failed already: what the switch back does is recorded per host, not as the failure.
        var scratch = report
        let returning = group.filter { back[$0.hostName] != nil }
        let judged = await phase(returning, &scratch) { Scripts.switchRelease(pool, to: back[$0.hostName]!, $0.plan, previous: .some($0.state.previousReleases[pool.name])) }
        let restored = judged.done.map(\.item)
        _ = await gate([.workers], restored, &scratch, GatePolicy(pool: pool.name))
        for i in restored {
            report.update(i.hostName) { r in
                r.restarted.append("\(pool.name) back to \(back[i.hostName]!)")
                r.releases[pool.name] = back[i.hostName]!
            }
        }
        for (i, failure) in judged.failed {
            let text = "could not be switched back to \(back[i.hostName]!): \(failure.message)"
            report.update(i.hostName) { r in
                r.error = text
                if failure.isUnreachable { r.reachable = false }
            }
            report.failure = (report.failure ?? "") + "; \(i.hostName) \(text)"
        }
    }

    /// Each host switched (its drain waited for first, with `drain`) and restarted, its workers
    /// then asked until they answer: per host switched, the answers (nil when none came back).
    func switchHosts(_ pool: Pool, _ group: [Inspected], _ targets: [String: String], drain: Bool = false, _ report: inout DeployReport) async -> [String: [UInt8]?] {
        let t = topology
        let judged = await phase(group, &report) { i in
            let probes = Self.probes([.workers], i.plan, t).filter { $0.pool == pool.name }
            return Scripts.switchRelease(pool, to: targets[i.hostName]!, i.plan, drain: drain ? pool.drainTimeout : nil,
                                         probes: probes.map(\.exchange), wait: min(pool.health.timeout, Self.listenWait), prune: true)
        }
        for (i, reply) in judged.done {
            report.update(i.hostName) { r in
                r.restarted.append("\(pool.name) on \(targets[i.hostName]!)")
                r.releases[pool.name] = targets[i.hostName]!
            }
            stillOpen(reply.drain, pool, on: i.hostName)
            emit(.done, i.hostName, "\(pool.name) switched to release \(targets[i.hostName]!) and restarted")
        }
        for (i, failure) in judged.failed { report.fail(judged.failureStatus, "\(i.hostName): \(failure.message)") }
        return Dictionary(uniqueKeysWithValues: judged.done.map { ($0.item.hostName, $0.reply.probes) })
    }

    /// Re-renders the router's config (the middle tier's, or Apache's without one) with
    /// `drained` left out, checks it, and reloads gracefully.
    func reloadMiddle(drained: Set<String>, _ report: inout DeployReport) async -> Bool {
        let renderer = StackRenderer(manifest, platform: platform, drained: drained)
        let t = renderer.topology, tier = t.routerTier
        let plans = t.activeHosts.filter { t.routerHosts.contains($0.name) }
            .map { HostPlan(renderer.render($0), topology: t, platform: platform) }
        let judged = await phase(plans, &report) { plan in
            let changes = HostChanges(files: plan.files.filter { $0.role == t.routerRole && !$0.file.check.isSystemdUnit })
            let reload = plan.programs(of: tier).map { Action.reload(ServiceControl.name($0, plan)) }
            return Scripts.reloadMiddle([.commit(changes.files.map(\.path))] + reload, plan, changes)
        }
        let unit = tier == .front ? t.frontUnit : t.middleUnit
        for (plan, _) in judged.done {
            report.update(plan.host.name) { r in if !r.reloaded.contains(unit) { r.reloaded.append(unit) } }
        }
        for (plan, failure) in judged.failed {
            report.fail(failure.exitStatus, "\(plan.host.name): the \(tier == .front ? "front" : "middle tier") could not be reloaded: \(failure.message)")
        }
        return judged.ok
    }
}
