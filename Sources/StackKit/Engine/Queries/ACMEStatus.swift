import Foundation

/// A managed domain's certificate as `status` shows it: from the front host's mod_md, the
/// certificate in service with its days left, and what its renewal is doing.
public struct ManagedCertificate: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// In service, nothing pending (a renewal may be running in the background).
        case valid
        /// Renewed and staged: a graceful reload (`stackctl up`) puts it in service.
        case staged
        /// A renewal failed; the certificate in service still holds.
        case failing
        /// No certificate in service yet: the front's HTTPS answers 503.
        case missing
        /// mod_md's status could not be read.
        case unknown
    }

    public var host: String
    public var name: String
    public var domains: [String]
    public var state: State
    public var validUntil: Double?
    public var daysLeft: Int?
    /// What is wrong, or pending, in one line.
    public var detail: String?

    enum CodingKeys: String, CodingKey { case host, name, domains, state, validUntil = "valid_until", daysLeft = "days_left", detail }

    /// A front host's entries; one `unknown` entry when its mod_md could not be read.
    public static func entries(host: String, _ reply: ACMEReply) -> [ManagedCertificate] {
        guard let domains = reply.domains else {
            return [ManagedCertificate(host: host, name: "-", domains: [], state: .unknown,
                                       detail: "mod_md's status could not be read: \(reply.error ?? "no answer")")]
        }
        return domains.map { d in
            var e = ManagedCertificate(host: host, name: d.name, domains: d.domains, state: .valid, validUntil: d.certificate?.until,
                                       daysLeft: d.daysLeft(now: reply.now))
            let tries = "\(d.errors) tr\(d.errors == 1 ? "y" : "ies")"
            if d.certificate == nil {
                e.state = .missing
                let why = " (\(tries)): \(CertificatePolicy.problem(d)); next try\(CertificatePolicy.at(d.nextTry))"
                e.detail = "no certificate issued yet" + (d.errors > 0 ? why : "")
            } else if d.staged != nil {
                e.state = .staged
                e.detail = "a renewed certificate waits for a graceful reload: `stackctl up` puts it in service"
            } else if d.errors > 0 {
                e.state = .failing
                e.detail = "renewal failing (\(tries)): \(CertificatePolicy.problem(d)); next try\(CertificatePolicy.at(d.nextTry))"
            }
            return e
        }
    }

    /// The front instance's part of `why`, and whether it degrades the front: no certificate in
    /// service, or one under `Certificate.warningDays` whose renewal fails.
    public var problem: (degraded: Bool, text: String)? {
        let names = domains.joined(separator: ", ")
        switch state {
        case .valid: return nil
        case .missing, .unknown: return (true, "ACME \(names.isEmpty ? "" : names + ": ")\(detail ?? "")")
        case .staged: return (false, "ACME \(names): \(detail ?? "")")
        case .failing: return ((daysLeft ?? 0) < Certificate.warningDays, "ACME \(names): \(detail ?? "")")
        }
    }
}
