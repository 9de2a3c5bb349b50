import Foundation

/// What one run of a command shares, made once when it starts: the manifest and its hosts'
/// plans, the connections, the clock, who runs it, the signals that may stop it, its deploy
/// lock, and the recorder that keeps its report. Procedures and services hold it; none of
/// them threads a report through by hand.
struct RunContext<C: Clock>: Sendable where C.Duration == Duration {
    let manifest: Manifest
    let topology: Topology
    let plans: [HostPlan]
    let connections: Connections
    let parallel: Int
    let clock: C
    let platform: Platform
    /// Who runs this: the lock's holder and the history's operator.
    let identity: RunIdentity
    /// Wall-clock time, for the lock and the history (durations use `clock`).
    let now: @Sendable () -> Date
    /// The signal that asked the run to stop (SIGINT, SIGTERM), if one did.
    let interruption: @Sendable () -> Int32?
    /// The run's deploy lock, under `locked`: its first script takes it.
    let lock: LockSession?
    /// The manifest's secrets, hidden in everything the run says or records.
    let redactor: Redactor
    /// Where a pool's virtualenv is built once for its hosts.
    let virtualenvs: (any VirtualenvMaking)?
    private(set) var recorder: Recorder
    private let started: C.Instant

    init(manifest: Manifest, plans: [HostPlan], connections: Connections, parallel: Int, clock: C, platform: Platform,
         identity: RunIdentity, now: @escaping @Sendable () -> Date, interruption: @escaping @Sendable () -> Int32?,
         lock: LockSession?, redactor: Redactor, stopwatch: Stopwatch, command: String, events: @escaping @Sendable (DeployEvent) -> Void,
         virtualenvs: (any VirtualenvMaking)? = nil) {
        self.virtualenvs = virtualenvs
        self.manifest = manifest
        topology = Topology(manifest)
        self.plans = plans
        self.connections = connections
        self.parallel = parallel
        self.clock = clock
        self.platform = platform
        self.identity = identity
        self.now = now
        self.interruption = interruption
        self.lock = lock
        self.redactor = redactor
        started = clock.now
        let runner = HostRunner(connections: connections, parallel: parallel, stopwatch: stopwatch)
        let report = DeployReport(stack: manifest.name, command: command, hosts: plans.map(\.host.name))
        recorder = Recorder(report, runner: runner) { kind, host, text in events(DeployEvent(kind: kind, host: host, text: redactor(text))) }
    }

    /// The same run with a recorder of its own, started from the report as it stands: for work
    /// whose outcome is recorded by hand, not as the run's (a switch back after a failure).
    func aside() -> RunContext {
        var copy = self
        copy.recorder = Recorder(recorder.current, runner: recorder.runner, say: recorder.say)
        return copy
    }

    /// Says one line of progress (secrets hidden).
    func emit(_ kind: DeployEvent.Kind, _ host: String?, _ text: String) { recorder.say(kind, host, text) }

    var runner: HostRunner { recorder.runner }

    /// The run's report, its time set: what a procedure returns when it ends.
    func finish() -> DeployReport {
        let seconds = elapsed
        return recorder.edit { $0.seconds = seconds; return $0 }
    }

    /// Seconds since the run started, on its clock.
    var elapsed: Double { started.duration(to: clock.now).inSeconds }

    /// Runs one phase's script on every item's host through the recorder (see `Recorder.phase`).
    func phase<Item: OnHost, Reply: ScriptReply>(_ items: [Item], status: ExitStatus? = nil, failing: ((String) -> String)? = nil,
                                                 leavable: Bool = false,
                                                 _ script: @escaping @Sendable (Item) -> HostScript<Reply>) async -> Judged<Item, Reply> {
        assert(lock?.isAsked != false, "a locked run's first script takes the lock (LockService.firstScript)")
        return await recorder.phase(items, status: status, failing: failing, leavable: leavable ? self.leavable : nil, script)
    }

    /// Scripts of this run may be left once past their end marker when a signal asks it to stop.
    var leavable: Leavable {
        let interruption = interruption
        return Leavable { interruption() != nil }
    }

    /// At a safe point: whether a signal asked the run to stop. If so the report fails with the
    /// signal's status (130 for SIGINT, 143 for SIGTERM), saying where the run stopped.
    func stopRequested(_ point: String) -> Bool {
        guard let signal = interruption() else { return false }
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        emit(.failed, nil, "\(name): stopping \(point)")
        recorder.fail(signal == SIGTERM ? .terminated : .interrupted, "stopped by \(name) \(point)")
        return true
    }
}

extension Array where Element: OnHost {
    /// The hosts' names, as a run's messages list them.
    var names: String { map(\.hostName).joined(separator: ", ") }
}
