extension Deployer {
    /// `stackctl check`: every host's requirements, with versions, in parallel; changes nothing.
    public func check() async -> (checks: [HostCheck], unreachable: [(host: String, error: String)]) {
        let plans = plans()
        let outcomes = await runner.run(plans) { Scripts.check($0) }
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
