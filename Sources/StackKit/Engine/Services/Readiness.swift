/// Whether the hosts may be changed at all: each has what its tiers need (`HostCheck`, judged
/// from the facts the inspect read), and no static directory resolves on a host into code or
/// stackctl's own files (`StaticExposure`). Either stops the run before anything changes.
struct Readiness<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// The check is the run's first judgement: a host without what its tiers need stops it here.
    func ready(_ inspected: [Inspected]) -> Bool {
        let checks = inspected.map { HostCheck($0.state.requirements, $0.plan) }.filter { !$0.ok }
        guard let first = checks.first else { return true }
        for c in checks {
            for p in c.problems { run.emit(.failed, c.host, "\(p.what): \(p.detail)") }
            if let apt = c.aptLine { run.emit(.info, c.host, "fix: \(apt)") }
            for f in c.fixes { run.emit(.info, c.host, "fix: \(f)") }
            run.recorder.update(c.host) { $0.error = c.problems.map { "\($0.what): \($0.detail)" }.joined(separator: "; ") }
        }
        let fix = first.aptLine.map { " (fix: \($0))" } ?? first.fixes.first.map { " (fix: \($0))" } ?? ""
        let problem = first.problems[0]
        run.recorder.fail(.notReady, "\(first.host) is not ready: \(problem.what): \(problem.detail)\(fix); nothing was changed")
        return false
    }

    /// The validator compared the paths as written; a middle host may resolve them elsewhere
    /// through a symlink. Any static directory that resolves into code or stackctl's own
    /// files stops the run before anything changes.
    func exposesNothing(_ inspected: [Inspected]) -> Bool {
        let manifest = run.manifest
        var problems: [String] = []
        let written = Dictionary(StaticExposure.served(manifest).map { ($0.key, $0.path) }, uniquingKeysWith: { a, _ in a })
        for i in inspected where i.plan.routes {
            for e in StaticExposure.find(manifest, resolve: { i.state.resolved[$0] }) {
                let verb = e.contains ? "would serve" : "lies inside"
                problems.append("\(e.served.what) '\(written[e.served.key] ?? "")' resolves on \(i.hostName) to '\(e.served.path)', "
                    + "which \(verb) \(e.protected.what) (\(e.protected.path))")
            }
        }
        guard !problems.isEmpty else { return true }
        for p in problems { run.emit(.failed, nil, p) }
        run.recorder.fail(.refused, problems[0] + (problems.count > 1 ? " (and \(problems.count - 1) more)" : "") + "; nothing was changed")
        return false
    }
}
