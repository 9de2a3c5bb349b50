import Foundation
import StackKit

/// Progress lines as they happen and the summary at the end: colour only on a terminal
/// (and never with NO_COLOR); JSON replaces the summary with `--json`.
struct Output: Sendable {
    let json: Bool
    let color: Bool
    let started = Date()

    init(json: Bool) {
        self.json = json
        color = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// Progress goes to stderr, so stdout stays clean for --json.
    func event(_ e: DeployEvent) {
        let elapsed = String(format: "%5.1fs", Date().timeIntervalSince(started))
        let mark = switch e.kind {
        case .step: paint("==>", "1")
        case .done: paint(" ok", "32")
        case .failed: paint("ERR", "31;1")
        case .info: "   "
        }
        let host = e.host.map { paint($0, "1") + ": " } ?? ""
        printError("\(paint(elapsed, "2")) \(mark) \(host)\(e.text)")
    }

    func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    func summary(_ report: DeployReport) throws {
        if json { return try printJSON(report) }
        for h in report.hosts {
            var parts: [String] = []
            if !h.reachable { parts.append(paint("unreachable", "31")) }
            if !h.uploaded.isEmpty { parts.append("uploaded \(h.uploaded.count)") }
            if !h.validated.isEmpty { parts.append("validated \(h.validated.count)") }
            if !h.started.isEmpty { parts.append("started \(h.started.joined(separator: ", "))") }
            if !h.restarted.isEmpty { parts.append("restarted \(h.restarted.joined(separator: ", "))") }
            if !h.reloaded.isEmpty { parts.append("reloaded \(h.reloaded.joined(separator: ", "))") }
            if !h.stopped.isEmpty { parts.append("stopped \(h.stopped.joined(separator: ", "))") }
            if h.unchanged && h.reachable && h.error == nil { parts.append("unchanged") }
            if h.error != nil && h.reachable { parts.append(paint("failed", "31")) }
            print("\(h.host): \(parts.joined(separator: "; "))")
            for r in h.repaired { print("  repaired \(r)") }
            for s in h.slow { print("  " + paint("slow", "33") + " \(s)") }
        }
        let verdict = !report.ok ? paint("FAILED", "31;1") : report.paused != nil ? paint("PAUSED", "33;1")
            : report.warning != nil ? paint("done, degraded", "33;1") : paint("done", "32;1")
        let why = report.failure ?? report.warning
        var tail = why.map { ": \($0)" } ?? ""
        if let p = report.paused {
            tail += (tail.isEmpty ? ": " : "; ") + (report.ok ? "" : "still paused: ") + "\(p.summary); the lock stays held; \(PausedRollout.next)"
        }
        print("\(report.command) \(verdict) in \(String(format: "%.2f", report.seconds)) s\(tail)")
    }
}
