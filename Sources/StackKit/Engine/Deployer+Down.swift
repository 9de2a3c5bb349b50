import Foundation

extension Deployer {
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
