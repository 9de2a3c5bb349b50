extension Deployer {
    /// Health-checks tiers on every host that runs them; the next tier starts only if all are healthy.
    /// `pool` limits worker probes to one pool (a rollout gates only what it restarted).
    func gate(_ tiers: [Tier], _ hosts: [Inspected], _ report: inout DeployReport, pool: String? = nil) async -> Bool {
        let t = topology
        let prober = Prober(clock: clock, python: platform.python)
        let outcomes = await runner.run(hosts) { i, transport -> Result<[ProbeResult], HostFailure> in
            let probes = tiers.filter(i.plan.tiers.contains).flatMap { Probes.of($0, t, host: i.hostName) }.filter { pool == nil || $0.pool == pool }
            do throws(TransportError) {
                return .success(try await prober.check(probes, over: transport))
            } catch {
                return .failure(.transport(error))
            }
        }
        let judged = judge(outcomes, &report)
        var tierReports = tiers.map { DeployReport.TierReport(tier: $0, healthy: true, probes: []) }
        var firstBad = judged.failed.first.map { "\($0.item.hostName): could not be probed: \($0.failure.message)" }
        if !judged.ok { for k in tierReports.indices { tierReports[k].healthy = false } }
        for (i, results) in judged.done {
            let host = i.hostName
            for r in results {
                let k = tiers.firstIndex(of: r.probe.tier)!
                tierReports[k].probes.append(.init(host: host, target: r.probe.label, healthy: r.healthy, status: r.status, latencyMs: r.milliseconds, answer: r.answer, stderr: r.stderr))
                guard !r.healthy else { continue }
                tierReports[k].healthy = false
                let stderr = r.stderr.isEmpty ? "" : "; worker stderr: \(Probe.snippet(r.stderr))"
                firstBad = firstBad ?? "\(host): \(r.probe.tier.rawValue) unhealthy: \(r.probe.label): \(r.answer)\(stderr)"
                emit(.failed, host, "\(r.probe.label): \(r.answer)\(stderr)")
            }
            if !results.isEmpty && results.allSatisfy(\.healthy) {
                let ms = results.map(\.milliseconds).max() ?? 0
                let what = Set(results.map(\.probe.tier)).count == 1 ? results[0].probe.tier.rawValue : "all tiers"
                emit(.done, host, "\(what) healthy (\(results.count) probe\(results.count == 1 ? "" : "s"), slowest \(ms) ms)")
            }
        }
        report.tiers += tierReports.filter { !$0.probes.isEmpty || !$0.healthy }
        if let firstBad { report.fail(.unhealthy, firstBad) }
        return firstBad == nil
    }
}
