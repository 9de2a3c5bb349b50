extension Deployer {
    /// Health-checks tiers on every host that runs them; the next tier starts only if all are healthy.
    /// `pool` limits worker probes to one pool (a rollout gates only what it restarted).
    func gate(_ tiers: [Program.Tier], _ hosts: [Inspected], _ report: inout DeployReport, pool: String? = nil) async -> Bool {
        let t = topology
        let prober = Prober(clock: clock, python: platform.python)
        let names = hosts.map(\.plan.host.name)
        let work = hosts.map { i in
            (i.plan.host.name, tiers.filter(i.plan.tiers.contains).flatMap { Probes.of($0, t, host: i.plan.host.name) }
                .filter { pool == nil || $0.pool == pool })
        }
        let outcomes = await FanOut.map(work, limit: parallel) { host, probes -> Result<[ProbeResult], TransportError> in
            do throws(TransportError) {
                return .success(try await prober.check(probes, over: self.transport(host)))
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
}
