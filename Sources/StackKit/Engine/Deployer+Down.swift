extension Deployer {
    /// Stops front, then middle, then workers (and each host's supervisord last).
    public func down() async -> DeployReport {
        let start = clock.now
        let plans = plans()
        var report = DeployReport(stack: manifest.name, command: "down", hosts: plans.map(\.host.name))
        guard await takeLock(plans, &report) else {
            report.seconds = seconds(since: start)
            return report
        }
        for tier in Tier.allCases.reversed() {
            let hosts = plans.filter { $0.tiers.contains(tier) }
            guard !hosts.isEmpty else { continue }
            emit(.step, nil, "stopping \(tier.rawValue)")
            let judged = await phase(hosts, &report) { Scripts.down(tier, $0, last: $0.tiers.first == tier) }
            for (plan, _) in judged.done {
                report.update(plan.host.name) { $0.stopped += plan.programs(of: tier).map { ServiceControl.name($0, plan) } }
                emit(.done, plan.host.name, "stopped \(tier.rawValue)")
            }
            for (plan, failure) in judged.failed { report.fail(judged.failureStatus, "\(plan.host.name): \(failure.message)") }
        }
        report.seconds = seconds(since: start)
        return report
    }
}
