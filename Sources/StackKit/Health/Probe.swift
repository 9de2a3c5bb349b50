/// One health check: what to ask, where, from which host, and what counts as healthy.
public struct Probe: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A FastCGI request straight to a worker.
        case fastcgi(path: String, scriptName: String)
        /// An SCGI request straight to a worker (`protocol: scgi`).
        case scgi(path: String, scriptName: String)
        /// An HTTP GET; `contentType` is the type a static file must come back with.
        case http(path: String, contentType: String?)
    }

    public var tier: Tier
    /// The host whose connection carries the probe.
    public var host: String
    public var endpoint: Endpoint
    public var kind: Kind
    public var label: String
    public var timeout: Double
    /// The pool a worker probe checks.
    public var pool: String? = nil
    /// The worker instance it checks.
    public var instance: Int? = nil
    /// The pool a server's probe is answered by (its path is one of the pool's routes): while
    /// that pool is down, the probe says nothing about the server.
    public var through: String? = nil
    /// Answers slower than this many seconds are slow (healthy, but the instance counts as degraded).
    public var slow: Double = 1
    /// Applied to every answer before it is cut short and kept.
    public var redactor = Redactor()
    /// Over TLS with this server name: the answer tells the certificate served.
    public var tls: String? = nil
    /// The site the request names (Host, SERVER_NAME, port, HTTPS).
    public var site = ProbeSite()

    public var exchange: Relay.Exchange {
        let payload: [UInt8] = switch kind {
        case .fastcgi(let path, let scriptName): FastCGI.request(params: FastCGI.getParams(path: path, scriptName: scriptName, site: site))
        case .scgi(let path, let scriptName): SCGI.request(headers: FastCGI.getParams(path: path, scriptName: scriptName, site: site))
        case .http(let path, _): HTTPMessage.request(path: path, site: site)
        }
        // Long enough to tell a slow answer (over `slow`) from none at all.
        return Relay.Exchange(endpoint: endpoint, payload: payload, timeout: min(timeout, max(6, slow * 3)), tls: tls)
    }
}

public struct ProbeResult: Sendable, Equatable {
    public var probe: Probe
    public var healthy: Bool
    public var status: Int?
    public var milliseconds: Int
    /// The last answer, in one line: status and start of body, or what went wrong.
    public var answer: String
    /// A worker's FastCGI stderr, where it wrote any.
    public var stderr: String
    /// How the connection went (`.ok` once an answer came, whatever it said): what a reader
    /// tells failures apart by, never by `answer`'s text.
    public var connection: Relay.Outcome = .ok

    /// The answer, with the worker's stderr after it when it wrote any.
    public var answerWithStderr: String { stderr.isEmpty ? answer : "\(answer); worker stderr: \(Probe.snippet(stderr))" }

    /// The certificate a TLS probe was served.
    public var certificate: Certificate? = nil

    /// The first answer's time when it was slow and this one, asked again, stood instead
    /// (`Prober.slowAskedAgain`).
    public var heldUp: Int? = nil

    /// Healthy, but slower than the probe's threshold.
    public var isSlow: Bool { healthy && Double(milliseconds) > probe.slow * 1000 }
    /// `answered in 5012 ms, over its 1000 ms threshold`.
    public var slowness: String { "answered in \(milliseconds) ms, over its \(Int(probe.slow * 1000)) ms threshold" }
}

extension Probe {
    /// Judges one relay answer: a 5xx or 4xx, a reset, a timeout or an incomplete answer is unhealthy.
    public func evaluate(_ answer: Relay.Answer) -> ProbeResult {
        func result(_ healthy: Bool, _ status: Int?, _ text: String, stderr: String = "") -> ProbeResult {
            var r = ProbeResult(probe: self, healthy: healthy, status: status, milliseconds: answer.milliseconds, answer: text, stderr: stderr)
            if let tls { r.certificate = Certificate(relayMessage: answer.message, serverName: tls) }
            return r
        }
        guard answer.outcome == .ok else {
            let what = switch answer.outcome {
            case .refused: "connection refused (nothing listens there)"
            case .missing: "no such socket"
            case .denied: "permission denied on the socket"
            case .timeout: "no answer in time (saturated or hung)"
            case .reset: "connection reset (the worker refused it)"
            default: "connection failed"
            }
            var failed = result(false, nil, "\(what): \(answer.message)")
            failed.connection = answer.outcome
            return failed
        }
        switch kind {
        case .fastcgi:
            switch FastCGIResponse.parse(answer.bytes) {
            case .failure(let problem):
                return result(false, nil, problem.description)
            case .success(let r):
                let ok = (200..<400).contains(r.status)
                return result(ok, r.status, "\(r.status) \(Self.snippet(redactor(r.bodyText)))", stderr: redactor(r.stderr))
            }
        case .scgi:
            switch SCGI.parse(answer.bytes) {
            case .invalid(let problem):
                return result(false, nil, problem)
            case .response(let status, _, let body):
                return result((200..<400).contains(status), status, "\(status) \(Self.snippet(redactor(String(decoding: body, as: UTF8.self))))")
            }
        case .http(_, let contentType):
            let (status, headers, body) = HTTPMessage.splitHead(answer.bytes, statusFromHeader: false)
            let type = headers.first { $0.0.lowercased() == "content-type" }?.1 ?? ""
            var ok = (200..<400).contains(status)
            var text = "\(status) \(Self.snippet(redactor(String(decoding: body, as: UTF8.self))))"
            if ok, let contentType, !type.lowercased().hasPrefix(contentType.lowercased()) {
                ok = false
                text = "\(status) with Content-Type '\(type)', expected '\(contentType)'"
            }
            if status == 0 { text = "not an HTTP answer: \(Self.snippet(redactor(String(decoding: answer.bytes, as: UTF8.self))))" }
            return result(ok, status == 0 ? nil : status, text)
        }
    }

    static func snippet(_ s: String, limit: Int = 120) -> String {
        let one = s.split(whereSeparator: \.isNewline).joined(separator: " ")
        return one.count > limit ? String(one.prefix(limit - 3)) + "..." : one
    }
}
