import Foundation

extension Deployer {
    /// A host's part of taking the lock; `staleToken` names a dead run's lock to replace.
    struct LockJob: OnHost {
        var plan: HostPlan
        var staleToken: String?
        var hostName: String { plan.host.name }
    }

    /// Runs `body` holding the stack's deploy lock on every host of the stack. The lock is taken
    /// on all hosts at once; if any host has it already, the hosts taken are let go and the run
    /// stops before changing anything, naming the holder. A lock left by a run of this machine
    /// whose process is gone (killed) is taken over, and said. When `body` ends, each host it
    /// changed gets the run's line in its history, and every host's lock is released.
    public func locked(_ command: String, _ body: () async -> DeployReport) async -> DeployReport {
        let start = clock.now
        let plans = plans()
        let holder = LockHolder(token: UUID().uuidString, identity: identity, command: command, started: now())
        var report = DeployReport(stack: manifest.name, command: command.split(separator: " ").first.map(String.init) ?? command, hosts: plans.map(\.host.name))
        let t = topology
        var taken: [HostPlan] = []
        var held: [(plan: HostPlan, line: String)] = []
        var jobs = plans.map { LockJob(plan: $0, staleToken: nil) }
        for attempt in 0..<2 {
            let judged = await phase(jobs, &report) { Scripts.acquireLock(t, holder: holder, staleToken: $0.staleToken) }
            taken += judged.done.filter { $0.reply.acquired }.map(\.item.plan)
            held = judged.done.filter { !$0.reply.acquired }.map { ($0.item.plan, $0.reply.held ?? "") }
            guard judged.ok else {
                for host in judged.failedHosts { report.update(host) { $0.reachable = false } }
                report.fail(judged.failureStatus, "the lock could not be taken on \(judged.failedHosts.joined(separator: ", ")); nothing was changed")
                break
            }
            // Only a lock whose every holder is a dead run of this machine is taken over.
            let stale = held.compactMap { h in LockHolder.parse(h.line).flatMap { $0.isStale(on: identity.machine, alive: LockHolder.processAlive) ? (h.plan, $0) : nil } }
            guard attempt == 0, !held.isEmpty, stale.count == held.count else { break }
            for (plan, old) in stale { emit(.info, plan.host.name, "taking over the lock left by \(old.summary): that process is gone") }
            jobs = stale.map { LockJob(plan: $0.0, staleToken: $0.1.token) }
        }
        if report.ok, let first = held.first {
            let who = LockHolder.parse(first.line)?.summary ?? "an unknown holder (\(ValueRule.visible(String(first.line.prefix(80)))))"
            report.fail(.locked, "the stack is locked by \(who) on \(held.map(\.plan.host.name).joined(separator: ", ")); "
                + "nothing was changed ('stackctl lock status' shows it, 'stackctl lock release' breaks it)")
            for h in held { emit(.failed, h.plan.host.name, "locked by \(LockHolder.parse(h.line)?.summary ?? "an unknown holder")") }
        }
        guard report.ok else {
            await release(taken, token: holder.token, report: nil)
            report.seconds = seconds(since: start)
            return report
        }
        var result = await body()
        let unlock = await release(taken, token: holder.token, report: result, command: command)
        // The lock's round trips are part of the run's time.
        result.phases = report.phases + result.phases + (unlock?.phases ?? [])
        for host in report.hosts + (unlock?.hosts ?? []) {
            result.update(host.host) { $0.timings.merge(host.timings, uniquingKeysWith: +) }
        }
        result.seconds = seconds(since: start)
        return result
    }

    /// Appends each changed host's history line, then lets the lock go on every host taken.
    @discardableResult
    func release(_ plans: [HostPlan], token: String, report: DeployReport?, command: String = "") async -> DeployReport? {
        guard !plans.isEmpty else { return nil }
        let time = HistoryEntry.timestamp(now())
        var lines: [String: String] = [:]
        for h in report?.hosts ?? [] where !h.unchanged {
            lines[h.host] = redactor(HistoryEntry(run: token, time: time, host: h, operator: identity.name, command: command, report: report!).line)
        }
        var scratch = DeployReport(stack: manifest.name, command: "unlock", hosts: plans.map(\.host.name))
        let t = topology, history = lines
        let judged = await phase(plans, &scratch) { Scripts.releaseLock(t, token: token, history: history[$0.host.name]) }
        for host in judged.failedHosts { emit(.failed, host, "the deploy lock could not be released here; 'stackctl lock release' breaks it") }
        return scratch
    }
}
