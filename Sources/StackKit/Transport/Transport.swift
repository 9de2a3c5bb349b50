import Foundation

/// A command for a host: an argv, bytes for its standard input, how long it may take, and a
/// label naming the work it belongs to (a host script's phase, `Relay`'s `probe`; fakes answer
/// by it). The transport only carries the label: what the names mean is the caller's.
public struct RemoteCommand: Sendable, Equatable {
    public var argv: [String]
    public var stdin: [UInt8]
    public var timeout: Duration
    public var label: String

    public init(_ argv: [String], stdin: [UInt8] = [], timeout: Duration = .seconds(120), label: String = "command") {
        self.argv = argv
        self.stdin = stdin
        self.timeout = timeout
        self.label = label
    }

    /// The script text, for a command that runs one.
    public var script: String { String(decoding: stdin, as: UTF8.self) }
}

public struct CommandOutput: Sendable, Equatable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    public init(status: Int32, stdout: [UInt8] = [], stderr: [UInt8] = []) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// How stackctl reaches one host. Implementations: `OpenSSHTransport`, `LocalTransport`,
/// and fakes in the tests.
public protocol Transport: Sendable {
    var hostName: String { get }
    /// Runs a command; a non-zero exit is an output, not an error. Throws only when the host
    /// cannot be reached or the command outlives its timeout.
    func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput
    /// Runs a command that keeps printing (a log follow), handing over each line of its standard
    /// output as it comes, until it ends or the task is cancelled (which ends it). Its exit status.
    func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32
    /// Runs a command on this terminal: its standard input, output and error are stackctl's own
    /// (`stackctl exec`), with a pseudo-terminal on the host when `tty`. Its exit status.
    func attach(_ command: RemoteCommand, tty: Bool) async throws(TransportError) -> Int32
    /// Closes connections the transport keeps open.
    func shutdown() async
}

extension Transport {
    /// For transports with no terminal to lend (fakes): the command runs, its output is dropped.
    public func attach(_ command: RemoteCommand, tty: Bool) async throws(TransportError) -> Int32 {
        try await run(command).status
    }
}

public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreachable(host: String, message: String)
    case timedOut(host: String, command: String, after: Duration)
    case cannotRun(host: String, command: String, message: String)

    public var description: String {
        switch self {
        case .unreachable(let host, let message): "\(host): unreachable: \(message)"
        case .timedOut(let host, let command, let after): "\(host): '\(command)' did not finish within \(after.components.seconds) s"
        case .cannotRun(let host, let command, let message): "\(host): cannot run '\(command)': \(message)"
        }
    }

    /// What went wrong, without the host's name (for lines that already show it).
    public var reason: String {
        switch self {
        case .unreachable(_, let message): "unreachable: \(message)"
        case .timedOut(_, let command, let after): "'\(command)' did not finish within \(after.components.seconds) s"
        case .cannotRun(_, let command, let message): "cannot run '\(command)': \(message)"
        }
    }

    public var host: String {
        switch self {
        case .unreachable(let h, _), .timedOut(let h, _, _), .cannotRun(let h, _, _): h
        }
    }
}
