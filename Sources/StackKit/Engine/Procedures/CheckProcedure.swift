/// `check`: every host's requirements, with versions, in parallel; changes nothing. What a host
/// needs, and how it is judged, is `HostCheck` (Plan): that is where a host check is added.
struct CheckProcedure<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    func run() async -> (checks: [HostCheck], unreachable: [(host: String, error: String)]) {
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
