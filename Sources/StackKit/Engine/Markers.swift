import Foundation

/// The `@` lines a host script printed, and the indented output under a failure.
struct Markers {
    let lines: [Substring]

    init(_ text: String) { lines = text.split(separator: "\n") }

    func has(_ marker: String) -> Bool { lines.contains { $0 == marker || $0.hasPrefix(marker + " ") } }

    func values(_ marker: String) -> [String] {
        lines.filter { $0.hasPrefix(marker + " ") }.map { String($0.dropFirst(marker.count + 1)) }
    }

    /// The first `@fail` or `@invalid` line with the output under it.
    func failureText(fallback: String) -> String {
        guard let i = lines.firstIndex(where: { $0.hasPrefix("@fail ") || $0.hasPrefix("@invalid ") }) else {
            let text = fallback.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? "the host script failed without a message" : text
        }
        let head = lines[i].hasPrefix("@invalid ") ? "\(lines[i].dropFirst(9)) is invalid" : String(lines[i].dropFirst(6))
        let detail = lines[(i + 1)...].prefix { $0.hasPrefix("| ") }.map { $0.dropFirst(2) }.prefix(12).joined(separator: "\n  ")
        return detail.isEmpty ? head : "\(head):\n  \(detail)"
    }
}
