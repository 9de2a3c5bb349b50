import Foundation
import StackKit

/// The human form of a status report: one table per tier, a reason under each unhealthy row.
struct StatusTable {
    let color: Bool

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    static func duration(_ seconds: Int?) -> String {
        guard let s = seconds else { return "-" }
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60)m" }
        return "\(s / 86400)d\(s % 86400 / 3600)h"
    }

    func stateCode(_ s: StatusReport.State) -> String {
        switch s {
        case .healthy: "32;1"
        case .degraded: "33;1"
        case .down, .unreachable: "31;1"
        }
    }

    func render(_ report: StatusReport) -> String {
        let seconds = String(format: "%.2f", report.seconds)
        let stack = "stack \(report.stack)" + (report.destination.map { " (destination \($0))" } ?? "")
        var out = "\(stack): \(paint(report.state.rawValue, stateCode(report.state))) (checked \(report.hosts.count) hosts in \(seconds) s)\n"
        if let m = report.maintenance {
            out += paint("MAINTENANCE", "33;1") + " since \(m.since) by \(m.by), Retry-After \(m.retryAfter) s"
                + (m.message.isEmpty ? "" : ": \(m.message)") + " ('stackctl maintenance off' ends it)\n"
        }
        if let holder = report.paused, let p = holder.paused {
            out += paint("PAUSED", "33;1") + " rollout of \(p.summary) since \(holder.started) by \(holder.user)@\(holder.machine) (\(PausedRollout.next))\n"
            if let c = report.canary { out += "  requests to pool \(c.pool) since the pause, counted by the middle: \(c.summary)\n" }
        }
        let header = ["HOST", "INSTANCE", "LISTEN", "PROCESS", "PID", "UPTIME", "HEALTH", "LATENCY", "DRIFT", "RELEASE"]
        for tier in report.tiers {
            out += "\n\(tier.tier.rawValue.uppercased())  \(paint(tier.state.rawValue, stateCode(tier.state)))\n"
            let rows = tier.instances.map { i -> [String] in
                let health = (i.health.map { ($0.healthy && i.healthy ? (i.slow ? "SLOW" : "ok") : "FAIL") + ($0.status.map { " \($0)" } ?? "") } ?? "-")
                    + (i.certificateDays.map { ", cert \($0) d" } ?? "")
                return [i.host, i.name, i.listen, i.process?.state ?? "-", i.process?.pid.map(String.init) ?? "-",
                        Self.duration(i.process?.uptimeSeconds), health, i.health.map { "\($0.latencyMs) ms" } ?? "-", i.drift, i.release ?? "-"]
            }
            let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max()! }
            func line(_ cells: [String], _ instance: StatusReport.Instance?) -> String {
                var parts: [String] = []
                for (c, cell) in cells.enumerated() {
                    let padded = cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    switch (c, instance) {
                    case (3, _?): parts.append(paint(padded, cell == "running" ? "32" : "31"))
                    case (6, let i?): parts.append(paint(padded, !i.healthy ? "31" : i.slow || i.certificateBad || i.dataBad || i.restartPending
                        || (i.certificateDays ?? 99) < Certificate.warningDays ? "33" : "32"))
                    case (8, _?): parts.append(paint(padded, cell == "in sync" ? "0" : "33"))
                    default: parts.append(padded)
                    }
                }
                return "  " + parts.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
            }
            out += paint(line(header, nil), "2")
            for (row, instance) in zip(rows, tier.instances) {
                out += line(row, instance)
                if let why = instance.why { out += "    " + paint("why: ", instance.healthy ? "33" : "31") + why + "\n" }
                if !instance.driftFiles.isEmpty { out += "    " + paint("drift: ", "33") + instance.driftFiles.joined(separator: ", ") + "\n" }
            }
        }
        if let certificates = report.certificates, !certificates.isEmpty {
            out += "\nCERTIFICATES  ACME through mod_md\n"
            for c in certificates {
                let until = c.validUntil.map { ", until " + CertificatePolicy.day($0) + " (\(c.daysLeft ?? 0) days left)" } ?? ""
                let code = c.state == .valid ? ((c.daysLeft ?? 99) < Certificate.warningDays ? "33" : "32") : c.problem?.degraded == true ? "31" : "33"
                out += "  \(c.host)  \(c.domains.isEmpty ? c.name : c.domains.joined(separator: ", "))  \(paint(c.state.rawValue, code))\(until)\n"
                if let detail = c.detail { out += "    " + paint("why: ", code) + detail + "\n" }
            }
        }
        let unreachable = report.hosts.filter { !$0.reachable }
        if !unreachable.isEmpty {
            out += "\nUNREACHABLE\n"
            for h in unreachable { out += "  \(h.host): \(h.error ?? "no answer")\n" }
        }
        return out
    }
}
