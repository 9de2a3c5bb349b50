/// A small stdio relay run on a host (python3, standard library only): it takes a batch of
/// byte exchanges on stdin, sends each to its unix socket or TCP address at once, and writes
/// back every answer. StackKit builds the requests and parses the answers; the relay only
/// carries bytes, so one SSH round trip probes every worker of a host.
public enum Relay {
    public struct Exchange: Sendable, Equatable {
        public var endpoint: Endpoint
        public var payload: [UInt8]
        public var timeout: Double
        /// Over TLS to a TCP endpoint, with this server name (SNI); the answer's message then
        /// describes the certificate served (`tls NOT_AFTER_EPOCH NAME,...`).
        public var tls: String?

        public init(endpoint: Endpoint, payload: [UInt8], timeout: Double = 3, tls: String? = nil) {
            self.endpoint = endpoint
            self.payload = payload
            self.timeout = timeout
            self.tls = tls
        }
    }

    public enum Outcome: String, Sendable, Equatable {
        case ok, timeout, refused, missing, denied, reset, error
    }

    public struct Answer: Sendable, Equatable {
        public var outcome: Outcome
        public var milliseconds: Int
        public var bytes: [UInt8]
        public var message: String
    }

    /// The label of the relay's commands (`RemoteCommand.label`).
    public static let label = "probe"

    public static func command(_ exchanges: [Exchange], python: String = "python3") -> RemoteCommand {
        // -I -S: the standard library only, no site packages or environment to read first.
        RemoteCommand([python, "-I", "-S", "-c", script], stdin: encode(exchanges),
            timeout: .seconds(Int64((exchanges.map(\.timeout).max() ?? 3) + 30)), label: Relay.label)
    }

    static func encode(_ exchanges: [Exchange]) -> [UInt8] {
        var out: [UInt8] = []
        for e in exchanges {
            let head = switch e.endpoint {
            case .unix(let path): "unix \(path) \(e.timeout) \(e.payload.count)\n"
            case .tcp(let address, let port):
                e.tls.map { "tls \(address) \(port) \($0) \(e.timeout) \(e.payload.count)\n" } ?? "tcp \(address) \(port) \(e.timeout) \(e.payload.count)\n"
            }
            out += Array(head.utf8) + e.payload
        }
        return out
    }

    /// Answers in request order; nil when the relay's output is cut short.
    public static func decode(_ bytes: [UInt8], count: Int) -> [Answer]? {
        var answers: [Answer] = [], i = 0
        while answers.count < count {
            guard let nl = bytes[i...].firstIndex(of: 10) else { return nil }
            let head = String(decoding: bytes[i..<nl], as: UTF8.self).split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard head.count >= 3, let outcome = Outcome(rawValue: String(head[0])), let ms = Int(head[1]), let n = Int(head[2]),
                  nl + 1 + n <= bytes.count else { return nil }
            answers.append(Answer(outcome: outcome, milliseconds: ms, bytes: Array(bytes[nl + 1..<nl + 1 + n]), message: head.count > 3 ? String(head[3]) : ""))
            i = nl + 1 + n
        }
        return answers
    }

    /// `Python/relay.py`, embedded in the binary; run with `python3 -c`.
    public static let script = String(decoding: PackageResources.relay_py, as: UTF8.self)
}
