import Foundation

/// One managed domain as the front's mod_md reports it (its `md-status` JSON): the certificate
/// in service, a renewed one staged for the next graceful reload, and how renewing goes.
public struct ManagedDomain: Sendable, Codable, Equatable {
    public struct Certificate: Sendable, Codable, Equatable {
        public var serial: String
        /// Not valid after (seconds since 1970).
        public var until: Double
    }

    public var name: String
    public var domains: [String]
    /// In service; nil before the first certificate is issued (mod_md serves a fallback).
    public var certificate: Certificate?
    /// Renewed and waiting for a graceful reload.
    public var staged: Certificate?
    /// Failed tries of the current renewal, its last problem, and when mod_md tries again.
    public var errors = 0
    public var problem: String?
    public var nextTry: Double?

    public init(name: String, domains: [String], certificate: Certificate? = nil) {
        self.name = name
        self.domains = domains
        self.certificate = certificate
    }

    enum CodingKeys: String, CodingKey { case name, domains, certificate, staged, errors, problem, nextTry = "next_try" }

    /// Whole days until the certificate in service expires, at `now` (seconds since 1970).
    public func daysLeft(now: Double) -> Int? { certificate.map { Int((($0.until - now) / 86_400).rounded(.down)) } }

    /// Every managed domain in mod_md's status JSON; nil when it is not that.
    public static func parse(json: String) -> [ManagedDomain]? {
        guard let data = json.data(using: .utf8), let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["managed-domains"] as? [[String: Any]] else { return nil }
        return list.compactMap { md in
            guard let name = md["name"] as? String else { return nil }
            var d = ManagedDomain(name: name, domains: md["domains"] as? [String] ?? [name], certificate: certificate(md["cert"]))
            if let renewal = md["renewal"] as? [String: Any] {
                if renewal["finished"] as? Bool == true { d.staged = certificate(renewal["cert"]) }
                d.errors = renewal["errors"] as? Int ?? 0
                if d.errors > 0, let last = renewal["last"] as? [String: Any] {
                    // The detail's first sentence: the rest is advice for the admin reading a log.
                    let detail = (last["detail"] as? String).map { $0.components(separatedBy: ". ")[0] }
                    let parts = [last["status-description"] as? String, detail].compactMap { $0 }.filter { !$0.isEmpty }
                    d.problem = parts.isEmpty ? nil : parts.joined(separator: ": ")
                }
                d.nextTry = (renewal["next-run"] as? String).flatMap(httpDate)
            }
            return d
        }
    }

    static func certificate(_ any: Any?) -> Certificate? {
        guard let cert = any as? [String: Any], let valid = cert["valid"] as? [String: Any],
              let until = (valid["until"] as? String).flatMap(httpDate) else { return nil }
        let serial = cert.values.lazy.compactMap { ($0 as? [String: Any])?["serial"] as? String }.first ?? ""
        return Certificate(serial: serial, until: until)
    }

    /// `Wed, 02 Dec 2026 18:42:50 GMT`, as mod_md writes its times.
    static func httpDate(_ text: String) -> Double? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: text)?.timeIntervalSince1970
    }
}

/// What a front host's mod_md said: its managed domains and the host's clock, or why it could
/// not be read (the front not answering yet, mod_md not loaded).
public struct ACMEReply: ScriptReply, Equatable {
    public var domains: [ManagedDomain]?
    /// The host's clock when it read them (seconds since 1970).
    public var now: Double = 0
    public var error: String?

    public init(_ output: ScriptOutput) {
        self.init(output.markers.last { $0.tag == .acme } ?? Marker(.acme, ["0", "error", "no answer from the host's status read"]))
    }

    /// From `@acme EPOCH ok JSON` or `@acme EPOCH error WHY`.
    init(_ m: Marker) {
        now = Double(m.fields[0]) ?? 0
        if m.fields[1] == "ok", let domains = ManagedDomain.parse(json: m.fields[2]) {
            self.domains = domains
        } else {
            error = m.fields[1] == "ok" ? "mod_md's status is not its JSON" : m.fields[2]
        }
    }
}
