import Foundation

/// The stack's deploy lock: taken by a run's first script, or alone (`down`), and released with
/// each changed host's history line when the run ends.
struct LockService<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// A host's part of taking the lock: what it asks (a dead run's lock to replace, or none).
    struct LockJob: OnHost {
        var plan: HostPlan
        var request: LockRequest
        var hostName: String { plan.host.name }
    }

    /// Runs a run's first script on every host; under a lock not yet asked for, the script
    /// takes it first (`script` gets the request). Returns every host's outcome, judged, with
    /// only the hosts that took the lock among those done; nil when another run holds it on
    /// some host: the run has failed, said so, and must stop.
    func firstScript<Reply: LockAnswer>(_ plans: [HostPlan],
                                        _ script: @escaping @Sendable (HostPlan, LockRequest?) -> HostScript<Reply>) async -> Judged<HostPlan, Reply>? {
        guard let lock = run.lock, !lock.isAsked else { return await run.phase(plans) { script($0, nil) } }
        lock.ask()
        let deadline = run.clock.now.advanced(by: lock.wait ?? .zero)
        var said: String? = nil
        while true {
            let (result, held) = await attempt(plans, lock, script)
            guard let first = held.first else { return result }
            let holder = LockHolder.parse(first.line)
            let who = holder?.summary ?? "an unknown holder (\(ValueRule.visible(String(first.line.prefix(80)))))"
            let hosts = held.map(\.plan.host.name).joined(separator: ", ")
            let paused = holder?.paused != nil
            if lock.wait != nil, !paused, run.stopRequested("while waiting for the lock, held by \(who)") { return nil }
            // A paused rollout waits for a person, not for a run to end.
            guard let wait = lock.wait, !paused, run.clock.now < deadline else {
                let fix = paused ? PausedRollout.next : "'stackctl lock status' shows it, 'stackctl lock release' breaks it"
                run.recorder.fail(.locked, "the stack is locked by \(who) on \(hosts)\(lock.wait.map { "; waited \(Int($0.inSeconds)) s" } ?? ""); "
                    + "nothing was changed (\(fix))")
                for h in held { run.emit(.failed, h.plan.host.name, "locked by \(LockHolder.parse(h.line)?.summary ?? "an unknown holder")") }
                return nil
            }
            // Hosts taken are let go while waiting: two waiting runs never hold each other's.
            let taken = lock.letGo(), t = run.topology, token = lock.holder.token
            if !taken.isEmpty { _ = await run.phase(taken) { _ in Scripts.releaseLock(t, token: token, history: nil) } }
            if said != who {
                run.emit(.info, nil, "waiting for the lock (up to \(Int(wait.inSeconds)) s): held by \(who) on \(hosts)")
                said = who
            }
            try? await run.clock.sleep(for: .seconds(1))
        }
    }

    /// One try at the lock on every host (a dead run's lock of this machine taken over): the
    /// judged outcomes of the hosts that took it, and the holders' lines where another has it.
    private func attempt<Reply: LockAnswer>(_ plans: [HostPlan], _ lock: LockSession,
                                            _ script: @escaping @Sendable (HostPlan, LockRequest?) -> HostScript<Reply>) async
        -> (Judged<HostPlan, Reply>, [(plan: HostPlan, line: String)]) {
        var result = Judged<HostPlan, Reply>()
        var held: [(plan: HostPlan, line: String)] = []
        var jobs = plans.map { LockJob(plan: $0, request: LockRequest(holder: lock.holder)) }
        let machine = run.identity.machine
        for attempt in 0..<2 {
            let judged = await run.phase(jobs) { script($0.plan, $0.request) }
            let took = judged.done.filter { $0.reply.lockReply.acquired }
            // A host whose inspect let the lock go again (in sync) is not held.
            lock.took(took.filter { !$0.reply.lockReply.released }.map(\.item.plan))
            result.done += took.map { ($0.item.plan, $0.reply) }
            result.failed += judged.failed.map { ($0.item.plan, $0.failure) }
            held = judged.done.filter { !$0.reply.lockReply.acquired }.map { ($0.item.plan, $0.reply.lockReply.held ?? "") }
            guard judged.ok else { return (result, []) }
            // Only a lock whose every holder is a dead run of this machine is taken over, or,
            // by a run that resumes one, the same paused rollout's on every host.
            let holders = held.map { h in (h.plan, LockHolder.parse(h.line)) }
            var stale = holders.compactMap { h in h.1.flatMap { $0.isStale(on: machine, alive: LockHolder.processAlive) ? (h.0, $0) : nil } }
            let paused = holders.compactMap { h in h.1.flatMap { $0.paused != nil ? (h.0, $0) : nil } }
            if lock.resume, let one = paused.first?.1, paused.count == held.count, paused.allSatisfy({ $0.1.token == one.token }) {
                lock.resumes(one)
                stale = paused
                run.emit(.info, nil, "taking over \(one.summary)")
            }
            guard attempt == 0, !held.isEmpty, stale.count == held.count else { break }
            for (plan, old) in stale where old.paused == nil {
                run.emit(.info, plan.host.name, "taking over the lock left by \(old.summary): that process is gone")
            }
            jobs = stale.map { LockJob(plan: $0.0, request: LockRequest(holder: lock.holder, staleToken: $0.1.token)) }
        }
        return (result, held)
    }

    /// The lock taken again on hosts whose first script let it go (`Scripts.inspect`'s
    /// `releasing`), by `script` (the same inspect, keeping it), before the run changes
    /// anything: its outcomes, or nil when another run holds it on one of them (the run has
    /// failed and said so). It waits as a first script does (`--lock-wait`), holding the hosts
    /// it has: a run that waits lets its own go, so two never wait on each other.
    func retake<Reply: LockAnswer>(_ plans: [HostPlan],
                                   _ script: @escaping @Sendable (HostPlan, LockRequest) -> HostScript<Reply>) async -> Judged<HostPlan, Reply>? {
        guard let lock = run.lock else { return Judged() }
        let deadline = run.clock.now.advanced(by: lock.wait ?? .zero)
        var result = Judged<HostPlan, Reply>(), pending = plans
        while true {
            let (judged, held) = await attempt(pending, lock) { script($0, $1 ?? LockRequest(holder: lock.holder)) }
            result.done += judged.done
            result.failed += judged.failed
            guard let first = held.first else { return result }
            let who = LockHolder.parse(first.line)?.summary ?? "an unknown holder"
            guard lock.wait != nil, run.clock.now < deadline, !run.stopRequested("while waiting for the lock, held by \(who)") else {
                run.recorder.fail(.locked, "the stack is locked by \(who) on \(held.map(\.plan.host.name).joined(separator: ", ")); nothing was changed")
                return nil
            }
            try? await run.clock.sleep(for: .seconds(1))
            pending = held.map(\.plan)
        }
    }

    /// For a run whose first script is not the inspect (`down`): the lock alone, in its own
    /// round trip. False when the run must stop.
    func take() async -> Bool {
        guard let lock = run.lock, !lock.isAsked else { return true }
        let t = run.topology, holder = lock.holder
        guard let judged = await firstScript(run.plans, { Scripts.acquireLock(t, $1 ?? LockRequest(holder: holder)) }) else { return false }
        guard judged.ok else {
            for host in judged.failedHosts { run.recorder.update(host) { $0.reachable = false } }
            run.recorder.fail(judged.failureStatus, "the lock could not be taken on \(judged.failedHosts.joined(separator: ", ")); nothing was changed")
            return false
        }
        return true
    }

    /// Appends each changed host's history line, then lets the lock go on every host taken, or,
    /// with `keep` (a paused rollout), leaves `keep` holding it. The release's own report (its
    /// timings), nil when no host was taken.
    func release(_ plans: [HostPlan], token: String, report: DeployReport, command: String = "", keep: LockHolder? = nil) async -> DeployReport? {
        guard !plans.isEmpty else { return nil }
        let time = HistoryEntry.timestamp(run.now())
        var lines: [String: String] = [:]
        for h in report.hosts where !h.unchanged {
            lines[h.host] = run.redactor(HistoryEntry(run: token, time: time, host: h, operator: run.identity.name, command: command, report: report,
                                                               destination: run.manifest.destination).line)
        }
        let t = run.topology, history = lines
        let judged = await run.phase(plans) { Scripts.releaseLock(t, token: token, history: history[$0.host.name], keep: keep) }
        for host in judged.failedHosts { run.emit(.failed, host, "the deploy lock could not be released here; 'stackctl lock release' breaks it") }
        return run.recorder.current
    }
}
