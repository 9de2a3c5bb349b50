/// `up`: inspect every host, upload and validate what changed, then workers, middle, front,
/// each health-checked before the next; hosts that run an older release roll to the new one.
struct UpProcedure<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    func run() async -> DeployReport {
        // Releases are placed before staging: a fresh host's units and launcher are checked
        // against the release they will run (systemd verifies that ExecStart's interpreter, in
        // the release's virtualenv, exists). Nothing serves from them until activation.
        // Hosts in sync let the lock go in the inspect (no round trip at the end of a no-op);
        // a run with more to do reads them again under the lock before it changes anything.
        // The pools' releases are built first (here, no host needed): in sync is running them.
        guard let built = await Releases(run: run).buildAll(),
              let read = await Inspection(run: run).inspect(probing: true, releasing: releasing ? built.mapValues(\.id) : nil),
              Readiness(run: run).exposesNothing(read),
              let inspected = settled(read, built) ? read : await Inspection(run: run).retake(read, probing: true),
              !run.stopRequested("before changing anything"),
              await StaticReleases(run: run).place(inspected, built: built),
              let stale = await Releases(run: run).place(inspected, built),
              !run.stopRequested("before staging (releases prepared, none live)"),
              await Staging(run: run).stage(inspected) else { return run.finish() }
        let linked = Dictionary(uniqueKeysWithValues: run.recorder.current.hosts.map { ($0.host, $0.releases) })
        let touched = await converge(inspected, changedPools: ConvergePolicy.changedPools(inspected, linked: linked))
        Staging(run: run).stillPending(inspected, touched: touched)
        // Hosts running an older release move to the new one without dropping a request.
        for (name, stale) in stale.sorted(by: { $0.key < $1.key }) {
            guard run.recorder.ok, !run.stopRequested("before rolling \(name) to its new release") else { break }
            guard let pool = run.manifest.pool(named: name) else { continue }
            _ = await RolloutProcedure(run: run, pool: name, target: .newRelease, batch: .one, only: stale.hosts)
                .roll(pool, inspected, prepared: stale.release)
        }
        return run.finish()
    }

    /// Whether hosts may let the lock go in the inspect: not when the run can change something
    /// that the inspect cannot see coming (mod_md's renewals).
    var releasing: Bool { run.manifest.front.tls?.acme == nil }

    /// Nothing to change, every sourced pool on the release `built`, and every probe the
    /// inspect asked healthy: the run ends as it is.
    func settled(_ inspected: [Inspected], _ built: [String: ReleaseArchive]) -> Bool {
        guard Self.onReleases(inspected, built, run.manifest), inspected.allSatisfy({ $0.changes.isEmpty }), ConvergePolicy.idle(inspected),
              let answered = HealthGate(run: run).answered(Tier.allCases, inspected, \.answers) else { return false }
        return Self.healthy(answered)
    }

    /// Every sourced pool's host, and every middle host of a shipped static directory, on its
    /// release `built`.
    static func onReleases(_ inspected: [Inspected], _ built: [String: ReleaseArchive], _ m: Manifest) -> Bool {
        inspected.allSatisfy { i in
            m.pools.allSatisfy { p in p.source == nil || !p.hosts.contains(i.hostName) || i.state.releases[p.name] == built[p.name]?.id }
                && (!i.plan.routes || m.middle.shipped.allSatisfy { s in
                    let key = s.releaseName
                    return i.state.releases[key] == built[key]?.id
                })
        }
    }

    /// Every host probed, and every probe healthy.
    static func healthy(_ outcomes: [HostOutcome<Inspected, HostGate>]) -> Bool {
        outcomes.allSatisfy { (try? $0.result.get())?.results.allSatisfy(\.healthy) ?? false }
    }

    /// The tiers bottom-up, each activated then gated (`ConvergePolicy` says what follows a gate).
    /// Returns the programs each host's activation started, restarted or reloaded.
    func converge(_ inspected: [Inspected], changedPools: Set<String>) async -> [String: Set<String>] {
        let gate = HealthGate(run: run), staging = Staging(run: run)
        if ConvergePolicy.idle(inspected) {
            let ahead = gate.answered(Tier.allCases, inspected, \.answers)
            let outcomes = if let ahead { await gate.slowAskedAgain(ahead) } else {
                await run.recorder.timed { await gate.probe(Tier.allCases, inspected, GatePolicy(quick: true)) }
            }
            if Self.healthy(outcomes) {
                _ = await gate.record(Tier.allCases, outcomes)
                // Nothing changed, but mod_md may have renewed a certificate since the last run.
                _ = await Certificates(run: run).settle(inspected)
                return [:]
            }
        }
        var done: [Tier] = [], fresh: [String: Set<String>] = [:], broken: Set<String> = []
        for tier in Tier.allCases {
            let hosts = inspected.filter { $0.plan.tiers.contains(tier) }
            guard !hosts.isEmpty else { continue }
            let point = done.isEmpty ? "before activating (nothing went live)" : "after \(done.map(\.rawValue).joined(separator: " and ")) went live and passed"
            guard !run.stopRequested(point), let activated = await staging.activate(tier, hosts) else {
                await staging.removeStaged(inspected)
                return fresh
            }
            fresh.merge(activated.touched) { $0.union($1) }
            // The front's HTTPS answers with mod_md's certificate once it has one in service.
            if tier == .front, await !Certificates(run: run).settle(hosts) { return fresh }
            let verdict = await gate.gate([tier], hosts, GatePolicy(fresh: fresh, broken: broken), answered: activated.answers)
            switch ConvergePolicy.after(tier, verdict, changedPools: changedPools, interrupted: run.interruption() != nil) {
            case .proceed:
                done.append(tier)
            case .proceedWithout(let pools):
                broken = pools
                run.emit(.info, nil, "pool\(pools.count == 1 ? "" : "s") \(pools.sorted().joined(separator: ", ")) still unhealthy; "
                    + "nothing of \(pools.count == 1 ? "it" : "theirs") changed in this run, so the middle and front go ahead")
            case .stop:
                // What the tiers above would have taken stays where it was: staged files go.
                await staging.removeStaged(inspected)
                return fresh
            }
        }
        return fresh
    }
}
