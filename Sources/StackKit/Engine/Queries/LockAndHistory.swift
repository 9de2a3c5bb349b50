/// A host's deploy lock, as `stackctl lock` shows it.
public struct LockState: Sendable, Codable, Equatable {
    public var host: String
    /// The holder's line, parsed; nil when the lock is free.
    public var holder: LockHolder?
    /// A lock file whose line does not parse (shown as it is).
    public var raw: String?
    public var error: String?
}

/// The lock and the history, read (and the lock broken) by their own commands.
struct LockAndHistory<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// Every host's lock; with `release`, each is removed (whoever holds it).
    func locks(release: Bool = false) async -> [LockState] {
        let t = run.topology
        let outcomes = await run.runner.run(run.plans) { _ in Scripts.showLock(t, remove: release) }
        return outcomes.map { o in
            switch o.result {
            case .success(let reply):
                let holder = reply.held.flatMap(LockHolder.parse)
                return LockState(host: o.host, holder: holder, raw: holder == nil ? reply.held : nil)
            case .failure(let failure):
                return LockState(host: o.host, error: failure.message)
            }
        }
    }

    /// The last `count` runs recorded on the hosts (`only`: these hosts), merged by run, oldest first;
    /// and the hosts that could not be read, with why.
    func history(hosts only: [String]? = nil, count: Int) async -> (runs: [HistoryRun], errors: [String: String]) {
        let t = run.topology
        let plans = run.plans.filter { only == nil || only!.contains($0.host.name) }
        let outcomes = await run.runner.run(plans) { _ in Scripts.history(t, count: count) }
        var perHost: [[HistoryEntry]] = [], errors: [String: String] = [:]
        for o in outcomes {
            switch o.result {
            case .success(let reply): perHost.append(reply.lines.compactMap(HistoryEntry.parse))
            case .failure(let failure): errors[o.host] = failure.message
            }
        }
        return (HistoryEntry.merge(perHost, last: count), errors)
    }
}
