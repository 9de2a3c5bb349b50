import Foundation

/// Picks the error-log line that explains a failed probe: one written in the last minute by the
/// host's clock, that names the probe's path or one of the peers it goes through. Never a line
/// about another request, nor an old one.
enum ErrorLog {
    /// How old a line may be, in seconds, to explain what a probe just saw.
    static let recent: Double = 60

    static func pick(_ lines: [String], clock: HostStatusFacts.HostClock?, mentioning needles: [String]) -> String? {
        guard let clock else { return nil }
        let needles = needles.filter { !$0.isEmpty }
        return lines.last { line in
            guard let written = timestamp(line).map({ $0 - clock.offset }), clock.epoch - written <= recent else { return false }
            return needles.contains { line.contains($0) }
        }
    }

    /// The time a line was written, read as if the host's local time were UTC: lighttpd's
    /// `2026-11-23 10:00:00:`, nginx's `2026/11/23 10:00:00 [error]`, Apache's
    /// `[Mon Nov 23 10:00:00.123456 2026]`.
    static func timestamp(_ line: String) -> Double? {
        let head = String(line.prefix(40))
        if let m = match(head, #"^(\d{4})[-/](\d{2})[-/](\d{2}) (\d{2}):(\d{2}):(\d{2})"#) {
            return seconds(m[0], m[1], m[2], m[3], m[4], m[5])
        }
        if let m = match(head, #"^\[\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{4})\]"#) {
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            guard let month = months.firstIndex(of: m[0]) else { return nil }
            return seconds(m[5], String(month + 1), m[1], m[2], m[3], m[4])
        }
        return nil
    }

    /// `YYYY-MM-DD HH:MM:SS` of the host's `date`, read the same way.
    static func localTime(_ text: String) -> Double? { timestamp(text) }

    static func seconds(_ parts: String...) -> Double? {
        let n = parts.compactMap { Int($0) }
        guard n.count == 6 else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (n[0], n[1], n[2], n[3], n[4], n[5])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: c)?.timeIntervalSince1970
    }

    static func match(_ text: String, _ pattern: String) -> [String]? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<m.numberOfRanges).compactMap { Range(m.range(at: $0), in: text).map { String(text[$0]) } }
    }
}
