/// `down`: front, then middle, then workers stopped (and each host's supervisord last), under
/// the lock taken in its own round trip (there is no inspect).
struct DownProcedure<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    func run() async -> DeployReport {
        guard await LockService(run: run).take() else { return run.finish() }
        for tier in Tier.allCases.reversed() {
            let hosts = run.plans.filter { $0.tiers.contains(tier) }
            guard !hosts.isEmpty else { continue }
            run.emit(.step, nil, "stopping \(tier.rawValue)")
            let judged = await run.phase(hosts) { Scripts.down(tier, $0, last: $0.tiers.first == tier) }
            for (plan, _) in judged.done {
                run.recorder.update(plan.host.name) { $0.stopped += plan.programs(of: tier).map { ServiceControl.name($0, plan) } }
                run.emit(.done, plan.host.name, "stopped \(tier.rawValue)")
            }
            for (plan, failure) in judged.failed { run.recorder.fail(judged.failureStatus, "\(plan.host.name): \(failure.message)") }
        }
        return run.finish()
    }
}
