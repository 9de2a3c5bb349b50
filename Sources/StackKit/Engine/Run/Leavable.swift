import Synchronization

/// A script that may be left once it has printed its end marker, when the run is asked to stop:
/// an activation whose probe relay still waits on answers (a hung app's can take the probe's
/// whole timeout). What it had to do is done by then; the probes' answers are dropped, and its
/// ssh ends (the relay on the host ends as its output closes). Like the transport's own time
/// limits, the watch keeps real time: it is how a command is waited on, not a step of the run.
struct Leavable: Sendable {
    /// Whether the run is asked to stop; asked every 100 ms once the end marker has come.
    let stop: @Sendable () -> Bool
}

extension HostRunner {
    func run<Item: OnHost, Reply: ScriptReply>(_ items: [Item], leavable: Leavable,
        _ script: @escaping @Sendable (Item) -> HostScript<Reply>) async -> [HostOutcome<Item, Reply>] {
        await timed(items) { item, transport in
            let s = script(item)
            return (s.phase.rawValue, await Self.execute(s, on: transport, leavable: leavable))
        }
    }

    private enum Ended: Sendable {
        case exited(Int32), failed(TransportError), left
    }

    /// What the script printed so far, and whether its end marker is among it.
    private final class Seen: Sendable {
        let lines = Mutex<[String]>([])
        let ended = Mutex(false)
    }

    /// Runs a script, its output streamed, until it exits, or until the run is asked to stop
    /// after it printed its end marker. Its time limit holds as `execute`'s does.
    static func execute<Reply>(_ script: HostScript<Reply>, on transport: any Transport,
                               leavable: Leavable) async -> Result<Reply, HostFailure> {
        let seen = Seen()
        let end = script.phase.endMarker?.prefix
        let command = script.command
        let clock = ContinuousClock()
        let deadline = clock.now + command.timeout
        let how: Ended = await withTaskGroup(of: Ended?.self) { group in
            group.addTask {
                do throws(TransportError) {
                    return .exited(try await transport.follow(command) { line in
                        seen.lines.withLock { $0.append(line) }
                        if let end, line == end || line.hasPrefix(end + " ") { seen.ended.withLock { $0 = true } }
                    })
                } catch { return .failed(error) }
            }
            group.addTask {
                while !Task.isCancelled {
                    if seen.ended.withLock({ $0 }) && leavable.stop() { return .left }
                    if clock.now > deadline {
                        return .failed(.timedOut(host: transport.hostName, command: ShellQuote.line(command.argv), after: command.timeout))
                    }
                    try? await clock.sleep(for: .milliseconds(100))
                }
                return nil
            }
            var first: Ended? = nil
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .left
        }
        let output = ScriptOutput(seen.lines.withLock { $0.joined(separator: "\n") })
        switch how {
        case .left:
            return .success(Reply(output))
        case .failed(let error):
            return .failure(.transport(error))
        case .exited(let status):
            if status == 0, end == nil || seen.ended.withLock({ $0 }) { return .success(Reply(output)) }
            let fallback = status == 0 ? "the \(script.phase.rawValue) script ended before its end"
                : "the \(script.phase.rawValue) script failed (exit \(status))"
            return .failure(.script(message: output.failure ?? fallback + " without a message", output: output))
        }
    }
}
