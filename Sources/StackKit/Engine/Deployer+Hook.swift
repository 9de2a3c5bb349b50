import Synchronization

extension Deployer {
    /// Runs the pool's `release_command` once for `release`, on the first of `hosts` (the
    /// release is prepared on all of them), before any host switches to it. Its output is said
    /// line by line as it comes. False, with exit 7 recorded, when it fails: nothing switches.
    func runReleaseHook(_ pool: Pool, release: String, on hosts: [Inspected], _ report: inout DeployReport) async -> Bool {
        guard let command = pool.releaseCommand, let host = hosts.first else { return true }
        emit(.step, host.hostName, "\(pool.name): release_command in release \(release): \(command)")
        let script = Scripts.releaseHook(pool, id: release, host.plan)
        let lines = Mutex<[String]>([])
        let say: @Sendable (String) -> Void = { [self] line in
            lines.withLock { $0.append(line) }
            if line.hasPrefix("| ") { emit(.info, host.hostName, String(line.dropFirst(2))) }
        }
        let status: Int32
        do throws(TransportError) {
            status = try await connections.transports[host.hostName]!.follow(script.command, line: say)
        } catch {
            report.update(host.hostName) { $0.error = error.reason }
            report.fail(HostFailure.transport(error).exitStatus, "\(host.hostName): the release_command of \(pool.name) could not run: \(error.reason); nothing was switched")
            return false
        }
        let output = ScriptOutput(lines.withLock { $0.joined(separator: "\n") })
        if status == 0, output.all(.ok).contains(where: { $0.fields.first == "release_command" }) {
            emit(.done, host.hostName, "\(pool.name): release_command succeeded")
            return true
        }
        let last = lines.withLock { $0.last { $0.hasPrefix("| ") && $0.count > 2 } }.map { String($0.dropFirst(2)) }
        let why = (output.failure.map { $0.replacingOccurrences(of: "release_command (", with: "(") } ?? "(exit \(status))") + (last.map { "; its last line: \($0)" } ?? "")
        emit(.failed, host.hostName, "\(pool.name): \(why)")
        report.update(host.hostName) { $0.error = why }
        report.fail(.releaseFailed, "\(host.hostName): the release_command of \(pool.name) failed in release \(release): \(why); nothing was switched")
        return false
    }
}
