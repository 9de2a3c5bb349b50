import Foundation
import Testing
@testable import StackKit

/// One writer for every `@` marker: the scripts' printf, awk and stat formats come from
/// `Marker.Tag`, and the embedded Python helpers print what `Marker.parse` reads. The helpers'
/// side of the contract is checked in Tests/python/test_markers.py against
/// Tests/Fixtures/markers.json, which this suite keeps equal to the tags' own arities
/// (rewrite it with `STACKCTL_UPDATE_GOLDEN=1 swift test --filter MarkerContract`).
@Suite struct MarkerContractTests {
    static let grammarPath = Fixtures.directory.appendingPathComponent("markers.json")

    static var grammar: String {
        let lines = Marker.Tag.allCases.sorted { $0.rawValue < $1.rawValue }
            .map { "  \"\($0.rawValue)\": [\($0.arity.lowerBound), \($0.arity.upperBound)]" }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }

    @Test func theGrammarFileIsTheTagsOwn() throws {
        if ProcessInfo.processInfo.environment["STACKCTL_UPDATE_GOLDEN"] == "1" {
            try Self.grammar.write(to: Self.grammarPath, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOf: Self.grammarPath, encoding: .utf8) == Self.grammar)
    }

    @Test func aTagsFormatPrintsALineItsParserReads() {
        for tag in Marker.Tag.allCases {
            let n = tag.arity.upperBound
            var line = tag.format(n)
            #expect(line.hasSuffix("\\n"))
            line.removeLast(2)
            for k in 0..<n { line = line.replacingOccurrences(of: "%s", with: "f\(k)", options: [], range: line.range(of: "%s")) }
            let parsed = Marker.parse(Substring(line))
            #expect(parsed == Marker(tag, (0..<n).map { "f\($0)" }), "\(tag): \(line)")
        }
    }

    /// No source writes a marker's text itself: each goes through `Marker.Tag` (`format`,
    /// `prefix`, `ShellCode.emit`), so a tag renamed is renamed everywhere.
    @Test func noSourceSpellsAMarkerByHand() throws {
        let tags = Marker.Tag.allCases.map(\.rawValue).joined(separator: "|")
        let literal = try NSRegularExpression(pattern: "['\"]@(\(tags))[ '\"\\\\]")
        var found: [String] = []
        let root = Fixtures.repoRoot.appendingPathComponent("Sources/StackKit")
        for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)! where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let s = String(line)
                if s.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
                if literal.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil { found.append("\(url.lastPathComponent):\(n + 1): \(s)") }
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }
}
