import Foundation

/// What `up` does next about a front host's ACME certificates, from what its mod_md said: put a
/// renewed certificate in service (a graceful reload), wait (a first certificate being issued,
/// a reload taking effect), fail (no certificate, and none coming in time), or go on, with a
/// note for each domain (a renewal that fails while the certificate in service still holds).
public enum CertificateStep: Sendable, Equatable {
    case reload(expecting: [String: String])
    case wait(String)
    case fail(String)
    case done([CertificateNote])
}

public struct CertificateNote: Sendable, Equatable {
    /// A renewal failing: said as a warning; the run still succeeds.
    public var warning: Bool
    public var text: String
}

public enum CertificatePolicy {
    /// `expecting`: serial by domain that a reload of this run is to put in service;
    /// `left`: seconds before the run stops waiting.
    public static func next(_ reply: ACMEReply, expecting: [String: String], left: Double) -> CertificateStep {
        guard let domains = reply.domains else {
            let why = "mod_md's status did not answer: \(reply.error ?? "nothing read")"
            return left > 0 ? .wait(why) : .fail(why + " (is mod_md loaded? `stackctl check` names what is missing)")
        }
        guard !domains.isEmpty else { return .fail("mod_md manages no domain: the front's config names none") }
        var reload: [String: String] = [:], waiting: [String] = [], notes: [CertificateNote] = []
        for d in domains {
            let names = d.domains.joined(separator: ", ")
            if let serial = expecting[d.name], d.certificate?.serial != serial {
                waiting.append("the graceful reload to put the renewed certificate for \(names) in service")
            } else if d.certificate == nil {
                if let staged = d.staged {
                    reload[d.name] = staged.serial
                } else if d.errors > 0, left <= 0 || (d.nextTry.map { $0 - reply.now > left } ?? false) {
                    return .fail("no certificate for \(names) yet: \(problem(d)); mod_md tries again\(at(d.nextTry)) "
                        + "(until then the front's HTTPS answers 503 with a stand-in certificate)")
                } else {
                    waiting.append("a first certificate for \(names)" + (d.errors > 0 ? " (\(problem(d)))" : ""))
                }
            } else if let staged = d.staged, expecting[d.name] == nil {
                reload[d.name] = staged.serial
            } else {
                notes.append(note(d, now: reply.now, renewed: expecting[d.name] != nil))
            }
        }
        if !reload.isEmpty { return .reload(expecting: reload) }
        if !waiting.isEmpty { return left > 0 ? .wait(waiting.joined(separator: "; ")) : .fail("gave up waiting for " + waiting.joined(separator: "; ")) }
        return .done(notes)
    }

    static func note(_ d: ManagedDomain, now: Double, renewed: Bool) -> CertificateNote {
        let names = d.domains.joined(separator: ", ")
        let serving = "certificate for \(names) valid until \(day(d.certificate?.until ?? 0)) (\(d.daysLeft(now: now) ?? 0) days left)"
        if d.errors > 0 {
            return CertificateNote(warning: true, text: "renewing the certificate for \(names) failed (\(d.errors) tr\(d.errors == 1 ? "y" : "ies")): "
                + "\(problem(d)); still serving the \(serving); mod_md tries again\(at(d.nextTry))")
        }
        return CertificateNote(warning: false, text: (renewed ? "now serving the new " : "serving the ") + serving)
    }

    static func problem(_ d: ManagedDomain) -> String { Probe.snippet(d.problem ?? "mod_md gave no reason", limit: 240) }

    /// A moment (seconds since 1970) in UTC, as `format` writes it.
    static func utc(_ epoch: Double, _ format: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = format
        return f.string(from: Date(timeIntervalSince1970: epoch))
    }

    /// ` at 2026-12-02 20:29:53 UTC`, or nothing without a moment.
    static func at(_ epoch: Double?) -> String { epoch.map { " at \(utc($0, "yyyy-MM-dd HH:mm:ss")) UTC" } ?? "" }

    /// `2031-12-02`, in UTC.
    public static func day(_ epoch: Double) -> String { utc(epoch, "yyyy-MM-dd") }
}
