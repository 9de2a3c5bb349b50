/// ACME certificates at the front, after it went live: each front host's mod_md is read until
/// every managed domain has a certificate in service (`CertificatePolicy` says what follows a
/// read). A renewed certificate waiting in mod_md's store is put in service by one graceful
/// reload of the front (Apache's children cannot signal their parent, so mod_md cannot); a
/// renewal that fails while the certificate in service holds is said, and the run goes on.
struct Certificates<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// How long between reads while a certificate is being issued or a reload takes effect.
    static var pause: Duration { .milliseconds(500) }

    /// False when a host has no certificate in service and none came in time (the run failed).
    func settle(_ hosts: [Inspected]) async -> Bool {
        guard let acme = run.manifest.front.tls?.acme else { return true }
        let start = run.clock.now
        var pending = hosts.map(\.plan).filter { $0.tiers.contains(.front) }
        var expecting: [String: [String: String]] = [:]
        while !pending.isEmpty {
            let judged = await run.phase(pending, failing: { "could not read mod_md's status on \($0)" }) { Scripts.acmeStatus($0) }
            guard judged.ok else { return false }
            let left = Double(acme.wait) - start.duration(to: run.clock.now).inSeconds
            var reload: [HostPlan] = [], waiting: [HostPlan] = []
            for (plan, reply) in judged.done {
                let host = plan.host.name
                switch CertificatePolicy.next(reply, expecting: expecting[host] ?? [:], left: left) {
                case .reload(let serials):
                    expecting[host, default: [:]].merge(serials) { $1 }
                    reload.append(plan)
                case .wait:
                    waiting.append(plan)
                case .fail(let why):
                    run.emit(.failed, host, why)
                    run.recorder.fail(.unhealthy, "\(host): \(why)")
                    return false
                case .done(let notes):
                    for note in notes { run.emit(note.warning ? .info : .done, host, (note.warning ? "warning: " : "") + note.text) }
                }
            }
            if !reload.isEmpty, await !self.reload(reload) { return false }
            if reload.isEmpty, !waiting.isEmpty {
                guard !run.stopRequested("while waiting for ACME certificates") else { return false }
                try? await run.clock.sleep(for: Self.pause)
            }
            pending = reload + waiting
        }
        return true
    }

    /// A graceful reload of the front on these hosts: the renewed certificates go in service.
    func reload(_ plans: [HostPlan]) async -> Bool {
        run.emit(.step, nil, "front: mod_md has a new certificate in its store: reloading gracefully on \(plans.names) to serve it")
        let program: @Sendable (HostPlan) -> String = { plan in plan.programs(of: .front).first.map { ServiceControl.name($0, plan) } ?? "" }
        let judged = await run.phase(plans, failing: { "front could not be reloaded on \($0)" }) { plan in
            Scripts.activate([.reload(program(plan))], plan, HostChanges(files: []))
        }
        for (plan, _) in judged.done { run.recorder.update(plan.host.name) { $0.reloaded.append(program(plan)) } }
        return judged.ok
    }
}
