extension Deployer {
    /// `stackctl check`: every host's requirements, with versions, in parallel; changes nothing.
    /// Where to add a host check: `HostCheck` (what a host needs, and the judgement).
    public func check() async -> (checks: [HostCheck], unreachable: [(host: String, error: String)]) {
        let run = run("check")
        let outcomes = await run.runner.run(run.plans) { Scripts.check($0) }
        var checks: [HostCheck] = [], unreachable: [(String, String)] = []
        for o in outcomes {
            switch o.result {
            case .success(let reply): checks.append(HostCheck(reply, o.item))
            case .failure(let failure): unreachable.append((o.host, failure.message))
            }
        }
        return (checks, unreachable)
    }
}
