import Synchronization

/// Owns one run's report. Every phase goes through it: run on the hosts, time it, judge each
/// host's outcome, record and say each failure, and fail the run naming the hosts when the
/// caller says how. Procedures and services read and change the report only through it.
final class Recorder: Sendable {
    private let report: Mutex<DeployReport>
    let runner: HostRunner
    let say: @Sendable (DeployEvent.Kind, String?, String) -> Void

    init(_ report: DeployReport, runner: HostRunner, say: @escaping @Sendable (DeployEvent.Kind, String?, String) -> Void) {
        self.report = Mutex(report)
        self.runner = runner
        self.say = say
    }

    /// The report as it stands.
    var current: DeployReport { report.withLock { $0 } }
    var ok: Bool { report.withLock { $0.ok } }

    func edit<T>(_ change: (inout DeployReport) -> T) -> T { report.withLock { change(&$0) } }
    func update(_ host: String, _ change: (inout DeployReport.HostReport) -> Void) { report.withLock { $0.update(host, change) } }
    func fail(_ code: ExitStatus, _ message: String) { report.withLock { $0.fail(code, message) } }
    func degrade(_ message: String) { report.withLock { $0.degrade(message) } }
    func timePhase(_ phase: String?, seconds: Double) { report.withLock { $0.timePhase(phase, seconds: seconds) } }

    /// Runs one phase's script on every item's host and judges the outcomes. With `failing`, a
    /// phase where some host failed fails the run: `failing` gets the failed hosts' names
    /// (comma-separated) and says what did not happen; the status is `status`, else unreachable
    /// or host-command-failed as the failures were.
    func phase<Item: OnHost, Reply: ScriptReply>(_ items: [Item], status: ExitStatus? = nil, failing: ((String) -> String)? = nil,
                                                 leavable: Leavable? = nil,
                                                 _ script: @escaping @Sendable (Item) -> HostScript<Reply>) async -> Judged<Item, Reply> {
        let runner = runner
        let judged = judge(await timed {
            if let leavable { await runner.run(items, leavable: leavable, script) } else { await runner.run(items, script) }
        })
        if let failing, !judged.ok { fail(status ?? judged.failureStatus, failing(judged.failedHosts.joined(separator: ", "))) }
        return judged
    }

    /// Runs a phase on its hosts and records its wall time under the phase its outcomes name.
    func timed<Item: OnHost, Reply: Sendable>(_ run: () async -> [HostOutcome<Item, Reply>]) async -> [HostOutcome<Item, Reply>] {
        let (outcomes, seconds) = await runner.stopwatch.time(run)
        timePhase(outcomes.first?.phase, seconds: seconds)
        return outcomes
    }

    /// Sorts outcomes into done and failed; each host's time is added to its timings, and a
    /// failure is recorded on its host's report and said.
    func judge<Item: OnHost, Reply: Sendable>(_ outcomes: [HostOutcome<Item, Reply>]) -> Judged<Item, Reply> {
        var judged = Judged<Item, Reply>()
        for outcome in outcomes {
            if !outcome.phase.isEmpty { update(outcome.host) { $0.timings[outcome.phase, default: 0] += outcome.seconds } }
            switch outcome.result {
            case .success(let reply):
                judged.done.append((outcome.item, reply))
            case .failure(let failure):
                hostFailed(outcome.host, failure, saying: failure.message)
                judged.failed.append((outcome.item, failure))
            }
        }
        return judged
    }
}

extension Recorder {
    /// A host's failure, recorded on its report and said as `text`; the run's own outcome is
    /// the caller's to decide.
    func hostFailed(_ host: String, _ failure: HostFailure, saying text: String) {
        update(host) { r in
            r.error = failure.message
            if failure.isUnreachable { r.reachable = false }
        }
        say(.failed, host, text)
    }
}

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
