/// Runs commands on the machine stackctl runs on, for `local: true` hosts.
public struct LocalTransport: Transport {
    public let hostName: String

    public init(hostName: String) { self.hostName = hostName }

    public func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput {
        do {
            return try await ProcessRunner.run(command.argv, stdin: command.stdin, timeout: command.timeout)
        } catch ProcessRunner.Failure.timedOut {
            throw .timedOut(host: hostName, command: ShellQuote.line(command.argv), after: command.timeout)
        } catch {
            throw .cannotRun(host: hostName, command: ShellQuote.line(command.argv), message: "\(error)")
        }
    }

    public func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32 {
        do {
            // The script on its standard input, which then closes, as ssh's does: `sh -s` would
            // otherwise wait for an input that never ends (issue 26: the release command hung).
            return try await LineStream.run(command.argv, input: command.stdin, line: line)
        } catch {
            throw .cannotRun(host: hostName, command: ShellQuote.line(command.argv), message: "\(error)")
        }
    }

    /// The terminal is this machine's own: `tty` changes nothing.
    public func attach(_ command: RemoteCommand, tty: Bool) async throws(TransportError) -> Int32 {
        do {
            return try await AttachedProcess.run(command.argv)
        } catch {
            throw .cannotRun(host: hostName, command: ShellQuote.line(command.argv), message: "\(error)")
        }
    }

    public func shutdown() async {}
}
