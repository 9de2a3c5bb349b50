/// Changed files written beside their targets and checked by each server's own validator
/// (`stage`), put in place with the programs they call for (`activate`), or removed again
/// when the run stops before they go live (`removeStaged`).
struct Staging<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// If any host refuses a config, every host's staged files are removed and nothing goes live.
    func stage(_ inspected: [Inspected]) async -> Bool {
        let changed = inspected.filter { !$0.changes.isEmpty }
        guard !changed.isEmpty else { return true }
        run.emit(.step, nil, "uploading and validating on \(changed.count) host\(changed.count == 1 ? "" : "s")")
        let judged = await run.phase(changed) { Scripts.stage($0.plan, $0.changes) }
        for (i, reply) in judged.done {
            // A directory that was there with another mode or owner was put right: a repair.
            let repaired = i.changes.directories.compactMap { d -> String? in
                guard let was = i.state.directories[d.path] else { return nil }
                return "\(d.path): it was \(Self.ownership(was)), now \(Self.ownership(d.ownership))"
            }
            for line in repaired { run.emit(.done, i.hostName, "repaired \(line)") }
            run.recorder.update(i.hostName) { $0.uploaded = i.changes.files.map(\.path); $0.validated = reply.validated; $0.repaired += repaired }
            run.emit(.done, i.hostName, "uploaded \(i.changes.files.count) file(s), \(reply.validated.count) validated")
        }
        for (i, failure) in judged.failed {
            if case .script(_, let output) = failure { run.recorder.update(i.hostName) { $0.validated = StageReply(output).validated } }
        }
        guard !judged.ok else { return true }
        let hosts = judged.failedHosts.joined(separator: ", ")
        // A script that ran and failed is the host refusing the change: a server's check, or a
        // staging step (an owner that does not exist there). Otherwise the host was not reached.
        let checked = judged.failed.contains { if case .script(_, let output) = $0.failure { output.has(.invalid) } else { false } }
        let staged = judged.failed.contains { if case .script = $0.failure { true } else { false } }
        if checked {
            run.recorder.fail(.refused, "refused by the server's own check on \(hosts); the running configs were not touched")
        } else if staged {
            run.recorder.fail(.refused, "could not be staged on \(hosts); the running configs were not touched")
        } else {
            run.recorder.fail(judged.failureStatus, "staging failed on \(hosts); the running configs were not touched")
        }
        // Hosts that refused a config removed their staged files themselves.
        _ = await run.phase(judged.done.map(\.item)) { Scripts.cleanup($0.changes) }
        return false
    }

    /// systemd's "Unit file /etc/systemd/system/NAME is masked.": the command that undoes it.
    static func unmask(_ message: String) -> String {
        guard let range = message.range(of: #"[^ /]+ is masked"#, options: .regularExpression) else { return "" }
        let unit = message[range].replacingOccurrences(of: " is masked", with: "")
        return "; `systemctl unmask \(unit)` undoes the mask"
    }

    /// `750:root:www-data` as `750 root:www-data`.
    static func ownership(_ stat: String) -> String {
        let parts = stat.split(separator: ":", maxSplits: 1)
        return parts.count == 2 ? "\(parts[0]) \(parts[1])" : stat
    }

    /// A host's activation of one tier: its staged files and the actions they call for.
    struct Activating: OnHost {
        var inspected: Inspected
        var actions: [Action]
        var hostName: String { inspected.hostName }
    }

    /// What one tier's activation did: per host, the programs it started, restarted or reloaded,
    /// and the answers its script got to the tier's probes (for the gate). Nil when a host failed.
    struct Activated {
        var touched: [String: Set<String>] = [:]
        var answers: [String: [UInt8]] = [:]
    }

    /// Runs each host's actions for `tier`; each host's script then asks the tier's probes itself.
    func activate(_ tier: Tier, _ hosts: [Inspected]) async -> Activated? {
        let work = hosts.map { Activating(inspected: $0, actions: Activation.actions(tier: tier, plan: $0.plan, changes: $0.changes, state: $0.state)) }
            .filter { !$0.actions.isEmpty }
        guard !work.isEmpty else { return Activated() }
        run.emit(.step, nil, "\(tier.rawValue): activating on \(work.names)")
        let t = run.topology
        // Its probes are asked after its end marker: a signal need not wait for their answers.
        let judged = await run.phase(work, leavable: true) { job in
            let probes = HealthGate<C>.probes([tier], job.inspected.plan, t)
            return Scripts.activate(job.actions, job.inspected.plan, job.inspected.changes, probes: probes.map(\.exchange),
                                    wait: min(probes.map(\.timeout).min() ?? 0, HealthGate<C>.listenWait))
        }
        if !judged.ok {
            // The first failed host's own words say why (a masked unit, a missing command).
            let why = judged.failed.first.map { ": " + Probe.snippet($0.failure.message, limit: 300) + Self.unmask($0.failure.message) } ?? ""
            run.recorder.fail(judged.failureStatus, "\(tier.rawValue) could not be started on \(judged.failedHosts.joined(separator: ", "))\(why)")
        }
        var result = Activated()
        for (job, reply) in judged.done {
            result.answers[job.hostName] = reply.probes
            // Nothing of this tier changed: whatever it starts was not running, and is repaired.
            let repair = !job.actions.contains { if case .commit = $0 { true } else { false } }
            run.recorder.update(job.hostName) { r in
                for action in job.actions {
                    switch action {
                    case .start(let names):
                        r.started += names
                        if repair { r.repaired += names.map { "\($0): it was not running" } }
                    case .restart(let names): r.restarted += names
                    case .reload(let name), .startOrReload(let name): r.reloaded.append(name)
                    case .endStrays(let strays):
                        r.repaired += strays.map { "\($0.program): pid \($0.pid) ran it outside supervisord; ended, and started again under it" }
                    default: break
                    }
                }
            }
            for action in job.actions {
                switch action {
                case .start(let names), .restart(let names): result.touched[job.hostName, default: []].formUnion(names)
                case .reload(let name), .startOrReload(let name): result.touched[job.hostName, default: []].insert(name)
                default: break
                }
            }
            run.emit(.done, job.hostName, (repair ? "not running, so " : "") + job.actions.map(\.summary).joined(separator: "; "))
            for p in PendingRestart.said(reply.pending) { pendingRestart(job.hostName, p.message(tier)) }
        }
        return judged.ok ? result : nil
    }

    /// What earlier runs' reloads left waiting for a restart, on programs this run did not
    /// activate (`touched`: their activation said it, or started them afresh).
    func stillPending(_ inspected: [Inspected], touched: [String: Set<String>]) {
        for i in inspected {
            for p in PendingRestart.said(i.state.pendingRestarts) where !(touched[i.hostName]?.contains(p.program) ?? false) {
                guard let tier = i.plan.programs.first(where: { ServiceControl.name($0, i.plan) == p.program })?.tier else { continue }
                pendingRestart(i.hostName, p.message(tier))
            }
        }
    }

    /// A change that takes a restart the run did not do (a reload keeps the server serving):
    /// said, and the run is degraded (exit 8).
    func pendingRestart(_ host: String, _ message: String) {
        run.recorder.degrade("\(host): " + message)
        run.emit(.info, host, message)
    }

    /// Removes what staging left beside live files on these hosts (files already committed
    /// are not there any more: `rm -f` passes over them).
    func removeStaged(_ inspected: [Inspected]) async {
        let staged = inspected.filter { !$0.changes.files.isEmpty }
        guard !staged.isEmpty else { return }
        _ = await run.phase(staged) { Scripts.cleanup($0.changes) }
        run.emit(.done, nil, "staged files removed on \(staged.names)")
    }
}
