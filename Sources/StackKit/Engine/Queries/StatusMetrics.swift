import Foundation

/// A `StatusReport` in Prometheus's text exposition format (version 0.0.4): every family once,
/// with its HELP and TYPE, labels escaped. For `status --format prometheus` and node_exporter's
/// textfile collector (`--textfile DIR`).
public struct StatusMetrics: Sendable {
    public let report: StatusReport
    /// When the stack was checked: `stackctl_status_timestamp_seconds`, for staleness alerts.
    public let checkedAt: Date

    public init(_ report: StatusReport, checkedAt: Date) {
        self.report = report
        self.checkedAt = checkedAt
    }

    struct Family {
        var name: String
        var help: String
        var samples: [(labels: [(String, String)], value: Double)] = []
    }

    public var text: String {
        families.filter { !$0.samples.isEmpty }.map { f in
            var out = "# HELP \(f.name) \(f.help)\n# TYPE \(f.name) gauge\n"
            for s in f.samples { out += "\(f.name)\(Self.labels(s.labels)) \(Self.number(s.value))\n" }
            return out
        }.joined()
    }

    var families: [Family] {
        let stack = [("stack", report.stack)]
        var f = [
            Family(name: "stackctl_status_timestamp_seconds", help: "When stackctl last checked the stack (Unix time).",
                   samples: [(stack, checkedAt.timeIntervalSince1970)]),
            Family(name: "stackctl_status_duration_seconds", help: "How long the check took.", samples: [(stack, report.seconds)]),
            Family(name: "stackctl_stack_state", help: "The stack's state: 1 for the one it is in.",
                   samples: ["healthy", "degraded", "down", "unreachable"].map { (stack + [("state", $0)], report.state.rawValue == $0 ? 1 : 0) }),
            Family(name: "stackctl_host_reachable", help: "Whether stackctl reached the host over ssh.",
                   samples: report.hosts.map { (stack + [("host", $0.host)], $0.reachable ? 1 : 0) }),
            Family(name: "stackctl_maintenance", help: "Whether the front answers 503 for maintenance.",
                   samples: [(stack, report.maintenance == nil ? 0 : 1)]),
        ]
        f += instanceFamilies(stack)
        if let p = report.paused?.paused {
            f.append(Family(name: "stackctl_rollout_paused", help: "A rollout paused after its canary, holding the lock.",
                            samples: [(stack + [("pool", p.pool), ("release", p.release)], 1)]))
        }
        if let certificates = report.certificates {
            let l = { (c: ManagedCertificate) in stack + [("host", c.host), ("domain", c.name)] }
            f.append(Family(name: "stackctl_acme_certificate_expiry_timestamp_seconds",
                            help: "When the ACME certificate mod_md has in service expires (Unix time).",
                            samples: certificates.compactMap { c in c.validUntil.map { (l(c), $0.rounded(.down)) } }))
            f.append(Family(name: "stackctl_acme_state", help: "A managed domain's certificate state in mod_md: 1 for the one it is in.",
                            samples: certificates.flatMap { c in
                                ["valid", "staged", "failing", "missing", "unknown"].map { (l(c) + [("state", $0)], c.state.rawValue == $0 ? 1 : 0) }
                            }))
        }
        if let c = report.canary {
            f.append(Family(name: "stackctl_canary_requests", help: "Requests the middle sent each host of the paused pool since the pause.",
                            samples: c.hosts.map { h in
                                (stack + [("pool", c.pool), ("host", h.host), ("canary", h.canary ? "true" : "false")], Double(h.requests))
                            }))
        }
        return f
    }

    func instanceFamilies(_ stack: [(String, String)]) -> [Family] {
        var up = Family(name: "stackctl_instance_up", help: "Whether the instance's process runs.")
        var healthy = Family(name: "stackctl_instance_healthy", help: "Whether the instance answered its health check (1) or not (0).")
        var latency = Family(name: "stackctl_instance_probe_latency_seconds", help: "How long the instance's health check took.")
        var uptime = Family(name: "stackctl_instance_uptime_seconds", help: "How long the instance's process has run.")
        var drift = Family(name: "stackctl_instance_drift", help: "Whether a file stackctl manages for the instance was changed on the host or is missing.")
        var release = Family(name: "stackctl_instance_release_info", help: "The release the instance runs, as a label.")
        var pending = Family(name: "stackctl_instance_restart_pending",
                             help: "Whether a reload left the server (middle, front) waiting for a restart to apply its settings.")
        // Seconds, as Prometheus's base unit asks (promtool refuses _days): a timestamp, as
        // blackbox_exporter's probe_ssl_earliest_cert_expiry is; `- time()` gives what is left.
        var expiry = Family(name: "stackctl_certificate_expiry_timestamp_seconds", help: "When the certificate the front serves expires (Unix time).")
        for tier in report.tiers {
            for i in tier.instances {
                let l = stack + [("tier", tier.tier.rawValue), ("host", i.host), ("instance", i.name)]
                // supervisord says starting until startsecs pass: the process runs.
                up.samples.append((l, ["running", "starting"].contains(i.process?.state ?? "") ? 1 : 0))
                healthy.samples.append((l, i.healthy ? 1 : 0))
                if let h = i.health { latency.samples.append((l, Double(h.latencyMs) / 1000)) }
                if let s = i.process?.uptimeSeconds { uptime.samples.append((l, Double(s))) }
                if i.drift != "unknown" { drift.samples.append((l, i.drift == "in sync" ? 0 : 1)) }
                if let r = i.release { release.samples.append((l + [("release", r)], 1)) }
                if tier.tier != .workers, i.drift != "unknown" { pending.samples.append((l, i.restartPending ? 1 : 0)) }
                if let e = i.certificateExpires { expiry.samples.append((l, e.rounded(.down))) }
            }
        }
        return [up, healthy, latency, uptime, drift, release, pending, expiry]
    }

    /// `{a="x",b="y"}`: backslash, double quote and newline escaped as the format asks.
    static func labels(_ pairs: [(String, String)]) -> String {
        let escaped = pairs.map { key, value in
            let v = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(v)\""
        }
        return "{" + escaped.joined(separator: ",") + "}"
    }

    /// Whole numbers without a fraction; others to the millisecond.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3f", value)
    }
}

extension StatusMetrics {
    /// The file node_exporter's textfile collector reads for this stack: `stackctl_STACK.prom`.
    public var fileName: String { "stackctl_\(report.stack).prom" }

    /// Writes `fileName` in `directory` whole or not at all: a temporary file beside it (which
    /// the collector ignores, not ending in .prom), then a rename. Returns the path written.
    public func write(toDirectory directory: String) throws -> String {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
        let temporary = path + ".\(getpid()).tmp"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            chmod(temporary, 0o644)
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            unlink(temporary)
            throw MetricsFileError(path: path, reason: String(cString: strerror(errno)))
        }
        return path
    }
}

public struct MetricsFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(ValueRule.visible(path)): \(reason)" }
}
