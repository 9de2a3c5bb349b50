import Foundation

/// `maintenance on|off|status` at every front host. On and off hold the deploy lock; each host
/// whose front config has no maintenance rules yet is named (`up` renders them).
public enum MaintenanceAction: Sendable, Equatable {
    case on(message: String, retryAfter: Int, page: String)
    case off
    case status
}

struct MaintenanceProcedure<C: Clock>: Sendable where C.Duration == Duration {
    let run: RunContext<C>
    let action: MaintenanceAction

    func run() async -> DeployReport {
        let fronts = run.plans.filter { $0.tiers.contains(.front) }
        if action != .status {
            guard await LockService(run: run).take() else { return run.finish() }
        }
        let state = MaintenanceState(message: message, retryAfter: retryAfter, since: HistoryEntry.timestamp(run.now()), by: run.identity.name)
        let judged = await run.phase(fronts) { plan in
            switch action {
            case .on(_, _, let page): Scripts.maintenanceOn(plan, state, page: page)
            case .off: Scripts.maintenanceOff(plan)
            case .status: Scripts.maintenanceStatus(plan)
            }
        }
        for (plan, failure) in judged.failed { run.recorder.fail(judged.failureStatus, "\(plan.host.name): \(failure.message)") }
        var unsupported: [String] = []
        for (plan, reply) in judged.done {
            let host = plan.host.name
            if reply.unsupported { unsupported.append(host); continue }
            run.recorder.edit { $0.maintenance[host] = reply.state.map { .on($0) } ?? .off }
            run.emit(.done, host, reply.state.map { "maintenance on since \($0.since) by \($0.by)" } ?? "maintenance off")
        }
        if !unsupported.isEmpty {
            run.recorder.fail(.hostCommandFailed, "the front config on \(unsupported.joined(separator: ", ")) has no maintenance rules yet: "
                + "run 'stackctl up' first (it renders them; nothing else changes)")
        }
        return run.finish()
    }

    var message: String { if case .on(let m, _, _) = action { m } else { "" } }
    var retryAfter: Int { if case .on(_, let r, _) = action { r } else { 0 } }
}

/// The page a front answers while in maintenance, when the manifest names none of its own.
public enum MaintenancePage {
    public static func html(message: String, retryAfter: Int) -> String {
        let text = escape(message.isEmpty ? "We are making the site better. Please come back in a few minutes." : message)
        let minutes = max(1, (retryAfter + 59) / 60)
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Down for maintenance</title>
        <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}h1{font-weight:600}</style>
        </head>
        <body>
        <h1>Down for maintenance</h1>
        <p>\(text)</p>
        <p>Please try again in about \(minutes) minute\(minutes == 1 ? "" : "s").</p>
        </body>
        </html>

        """
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
