import Foundation

/// The engine's entry point: how runs are made (manifest, connections, clock, who runs them,
/// the signals that stop them), and one method per command, each handing a fresh `RunContext`
/// to that command's procedure (`Procedures/`). The procedures use the shared services
/// (`Services/`: inspection, staging, releases, rotation, the health gate, the lock) and
/// decide with plain policy values (`Policy/`).
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
    /// How long a locking command waits for another run's lock (`--lock-wait`); nil: it fails
    /// at once with exit 10.
    public var lockWait: Duration? = nil
    /// Whether this run may take over a paused rollout's lock (`rollout --continue`, `rollback`).
    public var resumesPause = false
    /// Where a pool's virtualenv is built once for its hosts (none: each host builds its own).
    public var virtualenvs: (any VirtualenvMaking)? = nil
    /// The manifest's secrets, hidden in everything the run says or records (made once).
    let redactor: Redactor
    /// The run's durations (its hosts' phases), on `clock`.
    let stopwatch: Stopwatch

    public init(manifest: Manifest, connections: Connections, parallel: Int = 8, clock: C,
                events: @escaping @Sendable (DeployEvent) -> Void = { _ in }) {
        self.manifest = manifest
        redactor = manifest.redactor
        self.connections = connections
        self.parallel = parallel
        self.clock = clock
        self.events = events
        stopwatch = Stopwatch(clock)
    }

    func plans() -> [HostPlan] { HostPlan.all(manifest, platform: platform) }

    /// A new run of `command`: its context, with an empty report.
    func run(_ command: String) -> RunContext<C> {
        RunContext(manifest: manifest, plans: plans(), connections: connections, parallel: parallel, clock: clock, platform: platform,
                   identity: identity, now: now, interruption: interruption, lock: lock, redactor: redactor, stopwatch: stopwatch,
                   command: command, events: events, virtualenvs: virtualenvs)
    }


    /// `up`: see `UpProcedure`.
    public func up() async -> DeployReport { await UpProcedure(run: run("up")).run() }

    /// `down`: see `DownProcedure`.
    public func down() async -> DeployReport { await DownProcedure(run: run("down")).run() }

    /// `rollout` (`.newRelease`) and `rollback` (`.previous`): see `RolloutProcedure`.
    /// `batch` nil: one host at a time, or what a resumed pause had left.
    public func rollout(pool name: String?, target: RolloutTarget, batch: BatchSize? = nil, hosts only: [String]? = nil,
                        maxFail: FailLimit = .none, pause: RolloutPause = .none) async -> DeployReport {
        let run = run(target == .previous ? "rollback" : "rollout")
        var procedure = RolloutProcedure(run: run, pool: name, target: target, batch: batch ?? .one, only: only, maxFail: maxFail)
        (procedure.pause, procedure.batchGiven) = (pause, batch != nil)
        return await procedure.run()
    }

    /// `restart`; every pool (manifest order), then the middle, then the front, when `what` is
    /// nil: see `RestartProcedure`.
    public func restart(_ what: ProgramScope?, batch: BatchSize = .one, hosts only: [String]? = nil) async -> DeployReport {
        await RestartProcedure(run: run("restart"), what: what, batch: batch, only: only).run()
    }

    /// `maintenance on|off|status`: see `MaintenanceProcedure` (on and off under `locked`).
    public func maintenance(_ action: MaintenanceAction) async -> DeployReport {
        await MaintenanceProcedure(run: run(action == .status ? "maintenance status" : "maintenance"), action: action).run()
    }

    /// `plan`: see `PlanProcedure`.
    public func plan() async -> PlanReport { await PlanProcedure(run: run("plan")).run() }

    /// `check`: see `CheckProcedure`.
    public func check() async -> (checks: [HostCheck], unreachable: [(host: String, error: String)]) {
        await CheckProcedure(run: run("check")).run()
    }

    /// Every host's lock; with `release`, each is removed (whoever holds it).
    public func locks(release: Bool = false) async -> [LockState] { await LockAndHistory(run: run("lock")).locks(release: release) }

    /// The last `count` runs recorded on the hosts (`only`: these hosts), merged by run, oldest
    /// first; and the hosts that could not be read, with why.
    public func history(hosts only: [String]? = nil, count: Int) async -> (runs: [HistoryRun], errors: [String: String]) {
        await LockAndHistory(run: run("history")).history(hosts: only, count: count)
    }

    /// The probes of `tiers` that a host runs, in tier order.
    static func probes(_ tiers: [Tier], _ plan: HostPlan, _ t: Topology) -> [Probe] { HealthGate<C>.probes(tiers, plan, t) }

    /// Runs `body` holding the stack's deploy lock on every host of the stack. The run's first
    /// script takes the lock on all hosts at once (`LockService.firstScript`); if any host has it
    /// already, the hosts taken are let go and the run stops before changing anything, naming
    /// the holder. A lock left by a run of this machine whose process is gone (killed) is taken
    /// over, and said. When `body` ends, each host it changed gets the run's line in its history,
    /// and every host's lock is released.
    public func locked(_ command: String, _ body: (Deployer) async -> DeployReport) async -> DeployReport {
        let start = clock.now
        let session = LockSession(holder: LockHolder(token: UUID().uuidString, identity: identity, command: command, started: now(),
                                                              destination: manifest.destination),
                                  wait: lockWait, resume: resumesPause)
        var locking = self
        locking.lock = session
        var result = await body(locking)
        // A paused rollout leaves the lock held, naming itself, for --continue or rollback; a
        // run that took a pause over and failed before changing anything leaves it as it was.
        var keep: LockHolder? = nil
        if let paused = result.paused {
            keep = session.holder
            keep?.paused = paused
            keep?.command = command
            keep?.started = LockHolder.format(now())
        } else if let resumed = session.resumed, !result.ok, result.hosts.allSatisfy(\.unchanged) {
            keep = resumed
        }
        let unlock = await LockService(run: run("unlock")).release(session.taken, token: session.holder.token, report: result, command: command,
                                                                 keep: keep)
        // The release's round trip is part of the run's time.
        result.phases += unlock?.phases ?? []
        for host in unlock?.hosts ?? [] {
            result.update(host.host) { $0.timings.merge(host.timings, uniquingKeysWith: +) }
        }
        result.seconds = start.duration(to: clock.now).inSeconds
        return result
    }
}
