import StackKit
import Synchronization

/// A transport that records every command and answers from a script, for engine tests.
public final class FakeTransport: Transport {
    public let hostName: String
    private let respond: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>
    private let log = Mutex<[RemoteCommand]>([])

    public init(hostName: String, respond: @escaping @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>) {
        self.hostName = hostName
        self.respond = respond
    }

    public var commands: [RemoteCommand] { log.withLock { $0 } }

    /// The kind of each command sent: inspect, stage, activate, cleanup, down or probe.
    public var phases: [String] { commands.map(Self.phase) }

    public static func phase(_ c: RemoteCommand) -> String {
        if c.argv.first?.hasSuffix("python3") == true || c.argv.contains("-c") { return "probe" }
        let script = String(decoding: c.stdin, as: UTF8.self)
        if script.contains("@prepared") { return "prepare" }
        if script.contains("@switched") { return "switch" }
        if script.contains("@drained") { return "drain-wait" }
        if script.contains("@pruned") { return "prune" }
        if (script.contains("tail -n 1") || script.contains("journalctl -u")) && !script.contains("file() {") { return "logs" }
        if script.contains("@activated") { return "activate" }
        if script.contains("@staged") { return "stage" }
        if script.contains("@stopped") { return "down" }
        if script.hasPrefix("rm -f ") { return "cleanup" }
        if script.contains("file() {") { return "inspect" }
        return "other"
    }

    public func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput {
        log.withLock { $0.append(command) }
        return try respond(command).get()
    }

    public func shutdown() async {}
}

/// Answers for a host where everything succeeds: nothing deployed yet, every check valid,
/// every probe healthy. Tests override single phases.
public enum FakeHost {
    public static func healthy(_ command: RemoteCommand) -> Result<CommandOutput, TransportError> {
        switch FakeTransport.phase(command) {
        case "inspect": return .success(CommandOutput(status: 0, stdout: Array("@manager down\n".utf8)))
        case "stage": return .success(CommandOutput(status: 0, stdout: Array("@valid x\n@staged\n".utf8)))
        case "activate": return .success(CommandOutput(status: 0, stdout: Array("@activated\n".utf8)))
        case "prepare": return .success(CommandOutput(status: 0, stdout: Array("@prepared x\n".utf8)))
        case "switch": return .success(CommandOutput(status: 0, stdout: Array("@switched a b\n".utf8)))
        case "drain-wait": return .success(CommandOutput(status: 0, stdout: Array("@drained 0\n".utf8)))
        case "logs": return .success(CommandOutput(status: 0, stdout: Array("stackctl launcher[1]: cannot load the WSGI application of pool main: ImportError: boom\n".utf8)))
        case "probe": return .success(CommandOutput(status: 0, stdout: relayAnswers(command, fastcgiStatus: 200)))
        default: return .success(CommandOutput(status: 0, stdout: Array("@stopped\n".utf8)))
        }
    }

    /// One answer per exchange in the relay's input: a FastCGI or an HTTP reply with `status`.
    public static func relayAnswers(_ command: RemoteCommand, fastcgiStatus: Int, stderr: String = "") -> [UInt8] {
        var out: [UInt8] = [], i = 0
        let input = command.stdin
        while i < input.count, let nl = input[i...].firstIndex(of: 10) {
            let head = String(decoding: input[i..<nl], as: UTF8.self).split(separator: " ")
            let n = Int(head.last ?? "0") ?? 0
            let payload = Array(input[(nl + 1)..<(nl + 1 + n)])
            i = nl + 1 + n
            let reply: [UInt8]
            if payload.first == 1 {
                var r = FastCGI.Record(type: .stdout, requestID: 1, content: Array("Status: \(fastcgiStatus) X\r\nContent-Type: text/plain\r\n\r\nok".utf8)).encoded()
                if !stderr.isEmpty { r += FastCGI.Record(type: .stderr, requestID: 1, content: Array(stderr.utf8)).encoded() }
                r += FastCGI.Record(type: .endRequest, requestID: 1, content: [0, 0, 0, 0, 0, 0, 0, 0]).encoded()
                reply = r
            } else {
                let type = String(decoding: payload, as: UTF8.self).contains(".txt") ? "text/plain" : "text/html"
                reply = Array("HTTP/1.1 200 OK\r\nContent-Type: \(type)\r\n\r\nok".utf8)
            }
            out += Array("ok 1 \(reply.count) \n".utf8) + reply
        }
        return out
    }
}

/// A clock whose sleeps return at once and advance its time.
public final class ImmediateClock: Clock, @unchecked Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    public init() {}
    public var now: Instant { current.withLock { $0 } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        current.withLock { if $0 < deadline { $0 = deadline } }
    }
}
