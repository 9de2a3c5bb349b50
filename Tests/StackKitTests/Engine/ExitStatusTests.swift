import Foundation
import Testing
@testable import StackKit

@Suite struct ExitStatusTests {
    /// The README's table is the type's table: same numbers, same meanings, nothing else.
    @Test func theReadmeTableIsTheTypesTable() throws {
        let readme = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### Exit status\n").dropFirst().first)
        let rows = section.split(separator: "\n").drop { !$0.hasPrefix("| status") }.dropFirst(2).prefix { $0.hasPrefix("| ") }
        let table = rows.map { row -> (Int32, String) in
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return (Int32(cells[0]) ?? -1, cells[1])
        }
        #expect(table.map(\.0) == ExitStatus.allCases.map(\.rawValue))
        #expect(table.map(\.1) == ExitStatus.allCases.map(\.meaning))
    }

    @Test func reportsCarryTheStatusAsANumber() throws {
        var report = DeployReport(stack: "s", command: "up", hosts: [])
        report.fail(.releaseFailed, "x")
        report.fail(.unhealthy, "later failures do not replace the first")
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"exit_code\":7") && report.failure == "x")
    }

    @Test func everyDegradationIsSaidOnceAndAFailureStillWins() {
        var report = DeployReport(stack: "s", command: "up", hosts: [])
        report.degrade("front1: front https /health is slow")
        report.degrade("front1: its certificate expired")
        report.degrade("front1: front https /health is slow")
        #expect(report.exitCode == .degraded)
        #expect(report.warning == "front1: front https /health is slow; front1: its certificate expired")
        report.fail(.unhealthy, "x")
        report.degrade("later")
        #expect(report.exitCode == .unhealthy && report.warning == nil)
    }
}
