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
                guard succeeded(host, outcome, &report) != nil else {
                    report.fail(failureCode([host], report), "\(host): \(report.hosts.first { $0.host == host }?.error ?? "stop failed")")
                    continue
                }
                let names = plan.programs(of: tier).map { ServiceControl.name($0, plan) }
                report.update(host) { $0.stopped += names }
                emit(.done, host, "stopped \(tier.rawValue)")
            }
        }
        report.seconds = seconds(since: start)
        return report
    }
}
