import Foundation

/// `up`, `down`, `rollout`: inspect every host, stage and validate what changed, then bring the
/// tiers up bottom-up (workers, middle, front), each health-checked before the next. Every
/// phase runs on its hosts in parallel through `phase`, which collects every host's outcome
/// before the caller applies its policy, so one host's failure never hides another's.
public struct Deployer<C: Clock>: Sendable where C.Duration == Duration {
    public let manifest: Manifest
    public let connections: Connections
    public var parallel: Int
    public let clock: C
    public var platform = Platform()
    public let events: @Sendable (DeployEvent) -> Void
    /// Who runs this: the lock's holder and the history's operator.
    public var identity = RunIdentity.current()
    /// Wall-clock time, for the lock and the history (the run's durations use `clock`).
    public var now: @Sendable () -> Date = { Date() }
    /// The signal that asked the run to stop (SIGINT, SIGTERM), if one did: checked at each
    /// safe point, where the run cleans up and stops.
    public var interruption: @Sendable () -> Int32? = { nil }
    /// The run's deploy lock, under `locked`: its first script takes it.
    var lock: LockSession? = nil
    /// The manifest's secrets, hidden in everything the run says or records (made once).
    let redactor: Redactor

    public init(manifest: Manifest, connections: Connections, parallel: Int = 8, clock: C, events: @escaping @Sendable (DeployEvent) -> Void = { _ in }) {
        self.manifest = manifest
        redactor = manifest.redactor
        self.connections = connections
        self.parallel = parallel
        self.clock = clock
        self.events = events
        stopwatch = Stopwatch(clock)
    }

    var topology: Topology { Topology(manifest) }
    var runner: HostRunner { HostRunner(connections: connections, parallel: parallel, stopwatch: stopwatch) }
    /// The run's durations (its hosts' phases), on `clock`.
    let stopwatch: Stopwatch

    func plans() -> [HostPlan] { HostPlan.all(manifest, platform: platform) }

    func emit(_ kind: DeployEvent.Kind, _ host: String?, _ text: String) { events(DeployEvent(kind: kind, host: host, text: redactor(text))) }

    func seconds(since start: C.Instant) -> Double { start.duration(to: clock.now).inSeconds }

    /// A host's work in a phase, judged: what succeeded with its reply, and what failed (each
    /// failure already recorded on its host's report and said).
    struct Judged<Item: OnHost, Reply: Sendable> {
        var done: [(item: Item, reply: Reply)] = []
        var failed: [(item: Item, failure: HostFailure)] = []

        var ok: Bool { failed.isEmpty }
        var failedHosts: [String] { failed.map(\.item.hostName) }
        /// `unreachable` when a failed host could not be reached, else `hostCommandFailed`.
        var failureStatus: ExitStatus { failed.contains { $0.failure.isUnreachable } ? .unreachable : .hostCommandFailed }
    }

    /// Runs one phase's script on every item's host and judges the outcomes. The caller applies
    /// its policy to what failed.
    func phase<Item: OnHost, Reply: ScriptReply>(_ items: [Item], _ report: inout DeployReport,
                                                 _ script: @escaping @Sendable (Item) -> HostScript<Reply>) async -> Judged<Item, Reply> {
        assert(lock?.isAsked != false, "a locked run's first script takes the lock (firstScript)")
        return judge(await timedPhase(&report) { await runner.run(items, script) }, &report)
    }

    /// Runs a phase on its hosts and records its wall time under the phase its outcomes name.
    func timedPhase<Item: OnHost, Reply: Sendable>(_ report: inout DeployReport, _ run: () async -> [HostOutcome<Item, Reply>]) async -> [HostOutcome<Item, Reply>] {
        let (outcomes, seconds) = await stopwatch.time(run)
        report.timePhase(outcomes.first?.phase, seconds: seconds)
        return outcomes
    }

    /// Sorts outcomes into done and failed; a failure is recorded on its host's report and said.
    func judge<Item: OnHost, Reply: Sendable>(_ outcomes: [HostOutcome<Item, Reply>], _ report: inout DeployReport) -> Judged<Item, Reply> {
        var judged = Judged<Item, Reply>()
        for outcome in outcomes where !outcome.phase.isEmpty {
            report.update(outcome.host) { $0.timings[outcome.phase, default: 0] += outcome.seconds }
        }
        for outcome in outcomes {
            switch outcome.result {
            case .success(let reply):
                judged.done.append((outcome.item, reply))
            case .failure(let failure):
                report.update(outcome.host) { r in
                    r.error = failure.message
                    if failure.isUnreachable { r.reachable = false }
                }
                emit(.failed, outcome.host, failure.message)
                judged.failed.append((outcome.item, failure))
            }
        }
        return judged
    }

    struct Inspected: OnHost {
        var plan: HostPlan
        var state: HostState
        var changes: HostChanges
        /// The relay's answers to `probes(Tier.allCases, ...)`, asked by the inspect itself.
        var answers: [UInt8]? = nil
        var hostName: String { plan.host.name }
    }

    /// Reads every host's state; the first command to a host opens its one SSH connection.
    /// The run's lock is taken by the same script (`firstScript`). With `probing`, each host
    /// also asks its probes of every tier when all its programs run (`Inspected.answers`).
    func inspect(_ plans: [HostPlan], _ report: inout DeployReport, probing: Bool = false) async -> [Inspected]? {
        emit(.step, nil, "inspecting \(plans.count) host\(plans.count == 1 ? "" : "s")")
        let t = topology
        guard let judged = await firstScript(plans, &report, { plan, lock in
            Scripts.inspect(plan, lock: lock, probes: probing ? Self.probes(Tier.allCases, plan, t).map(\.exchange) : [])
        }) else { return nil }
        let inspected = judged.done.map { Inspected(plan: $0.item, state: $0.reply.state, changes: HostChanges(plan: $0.item, state: $0.reply.state), answers: $0.reply.probes) }
        for i in inspected { emit(.done, i.hostName, i.changes.isEmpty ? "in sync" : "\(i.changes.files.count) file(s) to update") }
        guard judged.ok else {
            // A host that cannot even be read stops the run before anything changes.
            for host in judged.failedHosts { report.update(host) { $0.reachable = false } }
            report.fail(.unreachable, "unreachable: \(judged.failedHosts.joined(separator: ", ")); nothing was changed")
            return nil
        }
        // The check is the first step: a host without what its tiers need stops the run here.
        let checks = inspected.map { HostCheck($0.state.requirements, $0.plan) }.filter { !$0.ok }
        guard checks.isEmpty else {
            for c in checks {
                for p in c.problems { emit(.failed, c.host, "\(p.what): \(p.detail)") }
                if let apt = c.aptLine { emit(.info, c.host, "fix: \(apt)") }
                for f in c.fixes { emit(.info, c.host, "fix: \(f)") }
                report.update(c.host) { $0.error = c.problems.map { "\($0.what): \($0.detail)" }.joined(separator: "; ") }
            }
            let first = checks[0]
            let fix = first.aptLine.map { " (fix: \($0))" } ?? first.fixes.first.map { " (fix: \($0))" } ?? ""
            report.fail(.notReady, "\(first.host) is not ready: \(first.problems[0].what): \(first.problems[0].detail)\(fix); nothing was changed")
            return nil
        }
        return inspected
    }
}
