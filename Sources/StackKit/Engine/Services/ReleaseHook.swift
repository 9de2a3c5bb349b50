import Synchronization

/// A pool's `release_command`, run once per new release before any host switches to it.
struct ReleaseHook<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>

    /// Runs the pool's `release_command` once for `release`, on the first of `hosts` (the
    /// release is prepared on all of them), before any host switches to it. Its output is said
    /// line by line as it comes. False, with exit 7 recorded, when it fails: nothing switches.
    func execute(_ pool: Pool, release: String, on hosts: [Inspected]) async -> Bool {
        guard let command = pool.releaseCommand, let host = hosts.first else { return true }
        run.emit(.step, host.hostName, "\(pool.name): release_command in release \(release): \(command)")
        let script = Scripts.releaseHook(pool, id: release, host.plan)
        let lines = Mutex<[String]>([])
        let say: @Sendable (String) -> Void = { [run] line in
            lines.withLock { $0.append(line) }
            if case .output(let text) = ScriptLine(line) { run.emit(.info, host.hostName, text) }
        }
        let status: Int32
        switch await follow(script.command, on: host.hostName, line: say) {
        case .ended(let code):
            status = code
        case .failed(let error):
            run.recorder.update(host.hostName) { $0.error = error.reason }
            run.recorder.fail(HostFailure.transport(error).exitStatus,
                "\(host.hostName): the release_command of \(pool.name) could not run: \(error.reason); nothing was switched")
            return false
        case .interrupted:
            // Its reader gone, the runner on the host ends the command's processes.
            _ = run.stopRequested("during the release_command of \(pool.name) on \(host.hostName) (it was ended; nothing was switched)")
            return false
        }
        let output = ScriptOutput(lines.withLock { $0.joined(separator: "\n") })
        if status == 0, output.all(.ok).contains(where: { $0.fields.first == "release_command" }) {
            run.emit(.done, host.hostName, "\(pool.name): release_command succeeded")
            return true
        }
        let last = lines.withLock { $0.compactMap { if case .output(let text) = ScriptLine($0), !text.isEmpty { text } else { nil } }.last }
        let why = (output.failure.map { $0.replacingOccurrences(of: "release_command (", with: "(") } ?? "(exit \(status))")
            + (last.map { "; its last line: \($0)" } ?? "")
        run.emit(.failed, host.hostName, "\(pool.name): \(why)")
        run.recorder.update(host.hostName) { $0.error = why }
        run.recorder.fail(.releaseFailed, "\(host.hostName): the release_command of \(pool.name) failed in release \(release): \(why); nothing was switched")
        return false
    }

    enum Followed: Sendable {
        case ended(Int32), failed(TransportError), interrupted
    }

    /// Follows the command until it ends, or until SIGINT or SIGTERM asks the run to stop: a
    /// release_command may run for minutes, so a signal ends it as it ends any phase.
    func follow(_ command: RemoteCommand, on host: String, line: @escaping @Sendable (String) -> Void) async -> Followed {
        let transport = run.connections.transports[host]!
        return await withTaskGroup(of: Followed?.self) { group in
            group.addTask {
                do throws(TransportError) { return .ended(try await transport.follow(command, line: line)) } catch { return .failed(error) }
            }
            group.addTask { [run] in
                while !Task.isCancelled {
                    if run.interruption() != nil { return .interrupted }
                    try? await run.clock.sleep(for: .milliseconds(200))
                    await Task.yield()
                }
                return nil
            }
            var first: Followed? = nil
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .interrupted
        }
    }
}
