import Foundation

/// Why a host's part of a phase failed.
public enum HostFailure: Error, Sendable, Equatable {
    /// The host could not be reached, or the command outlived its time limit.
    case transport(TransportError)
    /// The script ran and failed: its first failed step with the output under it.
    case script(message: String, output: ScriptOutput)

    public var message: String {
        switch self {
        case .transport(let error): error.reason
        case .script(let message, _): message
        }
    }

    public var isUnreachable: Bool {
        if case .transport(.unreachable) = self { true } else { false }
    }

    /// The run's exit status when this failure decides it.
    public var exitStatus: ExitStatus { isUnreachable ? .unreachable : .hostCommandFailed }
}

/// One host's part of a phase: what its script printed back, or why it failed, and how long
/// the host took over it.
struct HostOutcome<Item: Sendable, Reply: Sendable>: Sendable {
    var item: Item
    var host: String
    var result: Result<Reply, HostFailure>
    var phase: String = ""
    var seconds: Double = 0
}

/// Time since a fixed start on an injected clock: the runner's durations follow the clock the
/// engine runs on (a test clock in the fakes).
public struct Stopwatch: Sendable {
    let elapsed: @Sendable () -> Duration

    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
    }

    /// Runs `work` and returns its value with the seconds it took.
    func time<R>(_ work: () async -> R) async -> (R, Double) {
        let start = elapsed()
        let value = await work()
        return (value, (elapsed() - start).inSeconds)
    }
}

/// Something that belongs to one host: the unit of work of a phase.
protocol OnHost: Sendable {
    var hostName: String { get }
}

extension HostPlan: OnHost {
    var hostName: String { host.name }
}

/// Runs one phase on many hosts at once, at most `parallel` at a time. Each child returns its
/// outcome as a value, in the items' order; the caller judges them.
struct HostRunner: Sendable {
    let connections: Connections
    let parallel: Int
    let stopwatch: Stopwatch

    /// Runs `work` on every item's host; `phase` names it in the timings.
    func run<Item: OnHost, Reply: Sendable>(_ items: [Item], phase: String,
        _ work: @escaping @Sendable (Item, any Transport) async -> Result<Reply, HostFailure>)
        async -> [HostOutcome<Item, Reply>] {
        await timed(items) { item, transport in (phase, await work(item, transport)) }
    }

    func run<Item: OnHost, Reply: ScriptReply>(_ items: [Item], _ script: @escaping @Sendable (Item) -> HostScript<Reply>) async -> [HostOutcome<Item, Reply>] {
        await timed(items) { item, transport in
            let s = script(item)
            return (s.phase.rawValue, await Self.execute(s, on: transport))
        }
    }

    /// Each item's work on its host, timed: the phase it names and how long the host took.
    func timed<Item: OnHost, Reply: Sendable>(_ items: [Item],
        _ work: @escaping @Sendable (Item, any Transport) async -> (String, Result<Reply, HostFailure>))
        async -> [HostOutcome<Item, Reply>] {
        let transports = connections.transports, stopwatch = stopwatch
        return await FanOut.map(items, limit: parallel) { item in
            let ((phase, result), seconds) = await stopwatch.time { await work(item, transports[item.hostName]!) }
            return HostOutcome(item: item, host: item.hostName, result: result, phase: phase, seconds: seconds)
        }
    }

    /// Runs a script: its reply when it exits 0, else why it failed.
    static func execute<Reply>(_ script: HostScript<Reply>, on transport: any Transport) async -> Result<Reply, HostFailure> {
        do throws(TransportError) {
            let out = try await transport.run(script.command)
            let output = ScriptOutput(out.stdoutText)
            if out.status == 0, script.phase.endMarker.map(output.has) ?? true {
                return .success(Reply(output))
            }
            let stderr = out.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            let fallback = out.status == 0 ? "the \(script.phase.rawValue) script ended before its end"
                : "the \(script.phase.rawValue) script failed (exit \(out.status))"
            let message = output.failure ?? (stderr.isEmpty ? fallback + " without a message" : stderr)
            return .failure(.script(message: message, output: output))
        } catch {
            return .failure(.transport(error))
        }
    }
}

extension Result {
    /// The error, when there is one.
    var failure: Failure? {
        if case .failure(let e) = self { e } else { nil }
    }
}
