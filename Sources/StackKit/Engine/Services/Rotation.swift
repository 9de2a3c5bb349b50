/// A pool's hosts moved in and out of service: taken out of the middle's rotation (`drain`),
/// put back, switched to a release and restarted, or switched back after a failed gate. The
/// router's config is re-rendered without the drained hosts and reloaded gracefully.
struct Rotation<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// Takes a batch out of the middle's rotation for `pool` (putting `returning` back in the
    /// same reload) and, with `wait`, waits for its in-flight requests.
    func drain(_ pool: Pool, _ group: [Inspected], returning: [Inspected] = [], wait: Bool = true) async -> Bool {
        run.emit(.step, nil, returning.isEmpty ? "\(pool.name): draining \(group.names)"
            : "\(pool.name): putting \(returning.names) back and draining \(group.names)")
        guard await reloadMiddle(drained: Set(group.map { Topology.drainKey(pool: pool.name, host: $0.hostName) })) else { return false }
        guard wait else { return true }
        let waits = await run.phase(group) { Scripts.waitDrained(pool, $0.plan, timeout: pool.drainTimeout) }
        for (i, reply) in waits.done { stillOpen(reply, pool, on: i.hostName) }
        return true
    }

    /// Says when a drain's wait ran out with requests still open.
    func stillOpen(_ reply: DrainReply, _ pool: Pool, on host: String) {
        guard reply.stillOpen > 0 else { return }
        run.emit(.info, host, "\(reply.stillOpen) in-flight request(s) still open after \(Int(pool.drainTimeout)) s; going on")
    }

    /// Puts drained hosts back into the middle's rotation.
    func putBack(_ pool: Pool, _ group: [Inspected]) async -> Bool {
        run.emit(.step, nil, "\(pool.name): putting \(group.names) back")
        return await reloadMiddle(drained: [])
    }

    /// Back to what each host ran before, restarted; the report says, per host, whether that worked.
    func switchBack(_ pool: Pool, _ group: [Inspected]) async {
        let back = Dictionary(uniqueKeysWithValues: group.compactMap { i in i.state.releases[pool.name].map { (i.hostName, $0) } })
        guard !back.isEmpty else { return }
        run.emit(.step, nil, "\(pool.name): switching \(back.keys.sorted().joined(separator: ", ")) back to the release they ran")
        // The run has failed already: what the switch back does is recorded per host, not as the failure.
        let scratch = run.aside()
        let returning = group.filter { back[$0.hostName] != nil }
        let judged = await scratch.phase(returning) {
            Scripts.switchRelease(pool, to: back[$0.hostName]!, $0.plan, previous: .some($0.state.previousReleases[pool.name]))
        }
        let restored = judged.done.map(\.item)
        _ = await HealthGate(run: scratch).gate([.workers], restored, GatePolicy(pool: pool.name))
        for i in restored {
            run.recorder.update(i.hostName) { r in
                r.restarted.append("\(pool.name) back to \(back[i.hostName]!)")
                r.releases[pool.name] = back[i.hostName]!
            }
        }
        for (i, failure) in judged.failed {
            let text = "could not be switched back to \(back[i.hostName]!): \(failure.message)"
            run.recorder.update(i.hostName) { r in
                r.error = text
                if failure.isUnreachable { r.reachable = false }
            }
            run.recorder.edit { $0.failure = ($0.failure ?? "") + "; \(i.hostName) \(text)" }
        }
    }

    /// Each host switched (its drain waited for first, with `drain`) and restarted, its workers
    /// then asked until they answer: per host switched, the answers (nil when none came back).
    func switchHosts(_ pool: Pool, _ group: [Inspected], _ targets: [String: String], drain: Bool = false) async -> [String: [UInt8]?] {
        let t = run.topology
        let judged = await run.phase(group) { i in
            let probes = HealthGate<C>.probes([.workers], i.plan, t).filter { $0.pool == pool.name }
            return Scripts.switchRelease(pool, to: targets[i.hostName]!, i.plan, drain: drain ? pool.drainTimeout : nil,
                                         probes: probes.map(\.exchange), wait: min(pool.health.timeout, HealthGate<C>.listenWait), prune: true)
        }
        for (i, reply) in judged.done {
            run.recorder.update(i.hostName) { r in
                r.restarted.append("\(pool.name) on \(targets[i.hostName]!)")
                r.releases[pool.name] = targets[i.hostName]!
            }
            stillOpen(reply.drain, pool, on: i.hostName)
            run.emit(.done, i.hostName, "\(pool.name) switched to release \(targets[i.hostName]!) and restarted")
        }
        for (i, failure) in judged.failed { run.recorder.fail(judged.failureStatus, "\(i.hostName): \(failure.message)") }
        return Dictionary(uniqueKeysWithValues: judged.done.map { ($0.item.hostName, $0.reply.probes) })
    }

    /// Re-renders the router's config (the middle tier's, or Apache's without one) with
    /// `drained` left out, checks it, and reloads gracefully.
    func reloadMiddle(drained: Set<String>) async -> Bool {
        let renderer = StackRenderer(run.manifest, platform: run.platform, drained: drained)
        let t = renderer.topology, tier = t.routerTier
        let plans = t.activeHosts.filter { t.routerHosts.contains($0.name) }
            .map { HostPlan(renderer.render($0), topology: t, platform: run.platform) }
        let judged = await run.phase(plans) { plan in
            let changes = HostChanges(files: plan.files.filter { $0.role == t.routerRole && !$0.file.check.isSystemdUnit })
            let reload = plan.programs(of: tier).map { Action.reload(ServiceControl.name($0, plan)) }
            return Scripts.reloadMiddle([.commit(changes.files.map(\.path))] + reload, plan, changes)
        }
        let unit = tier == .front ? t.frontUnit : t.middleUnit
        for (plan, _) in judged.done {
            run.recorder.update(plan.host.name) { r in if !r.reloaded.contains(unit) { r.reloaded.append(unit) } }
        }
        for (plan, failure) in judged.failed {
            run.recorder.fail(failure.exitStatus,
                "\(plan.host.name): the \(tier == .front ? "front" : "middle tier") could not be reloaded: \(failure.message)")
        }
        return judged.ok
    }
}
