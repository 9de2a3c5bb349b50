import Foundation
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

    /// The phase of each command sent, in order.
    public var phases: [HostPhase] { commands.map(\.phase) }

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
        let text: String
        switch command.phase {
        case .inspect:
            // A run's first inspect takes the lock: taken.
            text = (String(decoding: command.stdin, as: UTF8.self).contains("( set -C;") ? "@acquired\n" : "") + "@manager down\n"
        case .stage: text = "@valid x\n@staged\n"
        case .activate, .reloadMiddle: text = "@activated\n"
        case .prepare: text = "@prepared x\n"
        case .releaseHook: text = "| migrated\n@ok release_command\n"
        case .switchRelease, .staticRelease: text = "@switched a b\n"
        case .drainWait: text = "@drained 0\n"
        case .probe: return .success(CommandOutput(status: 0, stdout: relayAnswers(command, fastcgiStatus: 200)))
        case .down: text = "@stopped\n"
        case .lock: text = "@acquired\n"
        case .status, .states:
            // Every systemd unit the script asks about is running.
            let script = String(decoding: command.stdin, as: UTF8.self)
            text = script.split(separator: "\n").filter { $0.hasPrefix("unitproc ") }.map { "@proc \($0.dropFirst(9)) running 100 10\n" }.joined()
        case .check:
            text = "@user root 0\n"
        case .cleanup, .fetch, .unlock, .history, .command: text = ""
        case .maintenance: text = "@maint off\n"
        case .acme: text = acmeLine(serial: "01")
        }
        return .success(CommandOutput(status: 0, stdout: Array(text.utf8)))
    }

    /// The `@probes` line a script's own relay would print (its exchanges are the argument after
    /// the relay's quoted program), each answered with `fastcgiStatus` or 200; empty when the
    /// script asks none.
    public static func probesLine(_ command: RemoteCommand, fastcgiStatus: Int = 200, milliseconds: Int = 1) -> String {
        let script = String(decoding: command.stdin, as: UTF8.self)
        guard let line = script.split(separator: "\n").last(where: { $0.hasPrefix("' ") && $0.hasSuffix(" || true") }),
              let word = line.split(separator: " ").dropFirst().first, let data = Data(base64Encoded: String(word)) else { return "" }
        let exchanges = RemoteCommand(["relay"], stdin: Array(data), phase: .probe)
        return "@probes \(Data(relayAnswers(exchanges, fastcgiStatus: fastcgiStatus, milliseconds: milliseconds)).base64EncodedString())\n"
    }

    /// mod_md's status of one managed domain, `www.example.test`, as `@acme` prints it: the
    /// certificate in service, and a renewal that is `staged` (finished) or `failing`.
    public static func acmeLine(serial: String?, staged: String? = nil, errors: Int = 0, nextTry: String = "Wed, 02 Dec 2026 20:20:36 GMT") -> String {
        func cert(_ serial: String) -> String {
            #"{"rsa":{"serial":"\#(serial)","valid":{"until":"Tue, 02 Dec 2031 18:42:49 GMT"}},"valid":{"until":"Tue, 02 Dec 2031 18:42:49 GMT"}}"#
        }
        var md = #"{"name":"www.example.test","domains":["www.example.test"],"state":2,"cert":\#(serial.map(cert) ?? "{}")"#
        if let staged {
            md += #","renewal":{"finished":true,"errors":0,"cert":\#(cert(staged))}"#
        } else if errors > 0 {
            md += #","renewal":{"finished":false,"errors":\#(errors),"next-run":"\#(nextTry)","#
                + #""last":{"status":111,"status-description":"Connection refused","detail":"Unsuccessful in contacting ACME server"}}"#
        }
        return #"@acme 1796235600 ok {"version":"2.6.10","managed-domains":[\#(md)}]}"# + "\n"
    }

    /// Output of a script that failed at one step.
    public static func failed(_ marker: String, _ detail: [String] = []) -> Result<CommandOutput, TransportError> {
        .success(CommandOutput(status: 1, stdout: Array(([marker] + detail.map { "| " + $0 }).joined(separator: "\n").utf8)))
    }

    /// One answer per exchange in the relay's input: a FastCGI or an HTTP reply with `status`.
    public static func relayAnswers(_ command: RemoteCommand, fastcgiStatus: Int, stderr: String = "", milliseconds: Int = 1) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        let input = command.stdin
        while i < input.count, let nl = input[i...].firstIndex(of: 10) {
            let head = String(decoding: input[i..<nl], as: UTF8.self).split(separator: " ")
            let n = Int(head.last ?? "0") ?? 0
            let payload = Array(input[(nl + 1)..<(nl + 1 + n)])
            i = nl + 1 + n
            let reply: [UInt8]
            if payload.first == 1 {
                var r = FastCGI.Record(type: .stdout, requestID: 1,
                    content: Array("Status: \(fastcgiStatus) X\r\nContent-Type: text/plain\r\n\r\nok".utf8)).encoded()
                if !stderr.isEmpty { r += FastCGI.Record(type: .stderr, requestID: 1, content: Array(stderr.utf8)).encoded() }
                r += FastCGI.Record(type: .endRequest, requestID: 1, content: [0, 0, 0, 0, 0, 0, 0, 0]).encoded()
                reply = r
            } else {
                let type = String(decoding: payload, as: UTF8.self).contains(".txt") ? "text/plain" : "text/html"
                reply = Array("HTTP/1.1 200 OK\r\nContent-Type: \(type)\r\n\r\nok".utf8)
            }
            out += Array("ok \(milliseconds) \(reply.count) \n".utf8) + reply
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

    /// Moves time on, as a fake host's slow command would.
    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}
