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
        let tiers = [Program.Tier.workers, .middle, .front]
        let idle = inspected.allSatisfy { i in
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
        report.seconds = seconds(since: start)
        return report
    }

    func seconds(since start: C.Instant) -> Double {
        let d = start.duration(to: clock.now).components
        return Double(d.seconds) + Double(d.attoseconds) / 1e18
    }

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
            switch outcome {
            case .failure(let error):
                failed.append(host)
                report.update(host) { $0.error = error.reason }
                emit(.failed, host, error.reason)
            case .success(let out):
                let markers = Markers(out.stdoutText)
                report.update(host) { $0.validated = markers.values("@valid") }
                if out.status == 0 && markers.has("@staged") {
                    report.update(host) { $0.uploaded = i.changes.files.map(\.path) }
                    emit(.done, host, "uploaded \(i.changes.files.count) file(s), \(markers.values("@valid").count) validated")
                } else {
                    failed.append(host)
                    let message = markers.failureText(fallback: out.stderrText)
                    report.update(host) { $0.error = message }
                    emit(.failed, host, message)
                }
            }
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
            switch outcome {
            case .success(let out) where out.status == 0:
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
            case .success(let out):
                failed.append(host)
                let message = Markers(out.stdoutText).failureText(fallback: out.stderrText)
                report.update(host) { $0.error = message }
                emit(.failed, host, message)
            case .failure(let error):
                failed.append(host)
                report.update(host) { $0.error = error.reason }
                emit(.failed, host, error.reason)
            }
        }
        if !failed.isEmpty { report.fail(6, "\(tier.rawValue) could not be started on \(failed.joined(separator: ", "))") }
        return failed.isEmpty
    }

    /// Health-checks tiers on every host that runs them; the next tier starts only if all are healthy.
    func gate(_ tiers: [Program.Tier], _ hosts: [Inspected], _ report: inout DeployReport) async -> Bool {
        let t = topology
        let prober = Prober(clock: clock, python: platform.python)
        let names = hosts.map(\.plan.host.name)
        let probesOf: @Sendable (String) -> [Probe] = { host in tiers.flatMap { tier in t.roles(of: host).contains(Self.role(tier)) ? Probes.of(tier, t, host: host) : [] } }
        let outcomes = await FanOut.map(names, limit: parallel) { host -> Result<[ProbeResult], TransportError> in
            do throws(TransportError) {
                return .success(try await prober.check(probesOf(host), over: self.transport(host)))
            } catch {
                return .failure(error)
            }
        }
        var tierReports = tiers.map { DeployReport.TierReport(tier: $0.rawValue, healthy: true, probes: []) }
        var firstBad: String?
        for (host, outcome) in zip(names, outcomes) {
            switch outcome {
            case .success(let results):
                for r in results {
                    let k = tiers.firstIndex(of: r.probe.tier)!
                    tierReports[k].probes.append(.init(host: host, target: r.probe.label, healthy: r.healthy, status: r.status, latencyMs: r.milliseconds, answer: r.answer, stderr: r.stderr))
                    if !r.healthy {
                        tierReports[k].healthy = false
                        let stderr = r.stderr.isEmpty ? "" : "; worker stderr: \(Probe.snippet(r.stderr))"
                        firstBad = firstBad ?? "\(host): \(r.probe.tier.rawValue) unhealthy: \(r.probe.label): \(r.answer)\(stderr)"
                        emit(.failed, host, "\(r.probe.label): \(r.answer)\(stderr)")
                    }
                }
                if !results.isEmpty && results.allSatisfy(\.healthy) {
                    let ms = results.map(\.milliseconds).max() ?? 0
                    let what = Set(results.map(\.probe.tier)).count == 1 ? results[0].probe.tier.rawValue : "all tiers"
                    emit(.done, host, "\(what) healthy (\(results.count) probe\(results.count == 1 ? "" : "s"), slowest \(ms) ms)")
                }
            case .failure(let error):
                for k in tierReports.indices { tierReports[k].healthy = false }
                firstBad = firstBad ?? "\(host): could not be probed: \(error.reason)"
                emit(.failed, host, error.reason)
            }
        }
        report.tiers += tierReports.filter { !$0.probes.isEmpty || !$0.healthy }
        if let firstBad { report.fail(5, firstBad) }
        return firstBad == nil
    }

    static func role(_ tier: Program.Tier) -> Topology.Roles {
        switch tier {
        case .workers: .workers
        case .middle: .middle
        case .front: .front
        }
    }

    /// Stops front, then middle, then workers (and each host's supervisord last).
    public func down() async -> DeployReport {
        let start = clock.now
        let plans = plans()
        var report = DeployReport(stack: manifest.name, command: "down", hosts: plans.map(\.host.name))
        for tier in [Program.Tier.front, .middle, .workers] {
            let hosts = plans.filter { $0.tiers.contains(tier) }
            guard !hosts.isEmpty else { continue }
            emit(.step, nil, "stopping \(tier.rawValue)")
            let outcomes = await FanOut.map(hosts, limit: parallel) { plan in
                await self.attempt(plan.host.name, .script(Scripts.down(tier, plan, last: plan.tiers.first == tier)))
            }
            for (plan, outcome) in zip(hosts, outcomes) {
                let host = plan.host.name
                switch outcome {
                case .success(let out) where out.status == 0:
                    let names = plan.programs(of: tier).map { ServiceControl.name($0, plan) }
                    report.update(host) { $0.stopped += names }
                    emit(.done, host, "stopped \(tier.rawValue)")
                case .success(let out):
                    let message = Markers(out.stdoutText).failureText(fallback: out.stderrText)
                    report.update(host) { $0.error = message }
                    report.fail(6, "\(host): \(message)")
                    emit(.failed, host, message)
                case .failure(let error):
                    report.update(host) { $0.reachable = false; $0.error = error.reason }
                    report.fail(3, "unreachable: \(host)")
                    emit(.failed, host, error.reason)
                }
            }
        }
        report.seconds = seconds(since: start)
        return report
    }
}

/// The `@` lines a host script printed, and the indented output under a failure.
struct Markers {
    let lines: [Substring]

    init(_ text: String) { lines = text.split(separator: "\n") }

    func has(_ marker: String) -> Bool { lines.contains { $0 == marker || $0.hasPrefix(marker + " ") } }

    func values(_ marker: String) -> [String] {
        lines.filter { $0.hasPrefix(marker + " ") }.map { String($0.dropFirst(marker.count + 1)) }
    }

    /// The first `@fail` or `@invalid` line with the output under it.
    func failureText(fallback: String) -> String {
        guard let i = lines.firstIndex(where: { $0.hasPrefix("@fail ") || $0.hasPrefix("@invalid ") }) else {
            let text = fallback.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? "the host script failed without a message" : text
        }
        let head = lines[i].hasPrefix("@invalid ") ? "\(lines[i].dropFirst(9)) is invalid" : String(lines[i].dropFirst(6))
        let detail = lines[(i + 1)...].prefix { $0.hasPrefix("| ") }.map { $0.dropFirst(2) }.prefix(12).joined(separator: "\n  ")
        return detail.isEmpty ? head : "\(head):\n  \(detail)"
    }
}
