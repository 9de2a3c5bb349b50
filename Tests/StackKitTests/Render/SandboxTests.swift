import Foundation
import Testing
@testable import StackKit

/// Every rendered unit's exposure by `systemd-analyze security` (offline, on the file), printed,
/// with a ceiling per tier from what the sandbox reaches. The lab's end-to-end tests run the same
/// units on systemd hosts: the sandbox must not break them.
@Suite struct SandboxTests {
    static let ceiling: [Tier: Double] = [.workers: 2.0, .middle: 3.5, .front: 3.5]

    @Test(.needs("systemd-analyze"), arguments: ["small-lighttpd", "small-nginx", "full-nginx"])
    func everyUnitStaysUnderItsTiersExposureCeiling(label: String) throws {
        guard let analyze = Run.which("systemd-analyze") else {
            Issue.record("systemd-analyze is not installed: the test carries .needs")
            return
        }
        let dir = try Fixtures.temporaryDirectory("security")
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try GoldenTests.manifest(label)
        var seen = Set<String>(), figures: [String] = []
        for host in StackRenderer(manifest).renderAll() {
            for file in host.files {
                guard case .systemdUnit(let unit) = file.check, unit.hasSuffix(".service"), seen.insert(unit).inserted,
                      let tier = file.role.tier else { continue }
                let path = dir.appendingPathComponent(unit).path
                try file.contents.write(toFile: path, atomically: true, encoding: .utf8)
                let r = try Run.run([analyze, "security", "--offline=yes", path])
                let overall = r.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") }.map(String.init) ?? ""
                let score = overall.split(separator: ":").last.flatMap { Double($0.split(separator: " ").first ?? "") }
                figures.append("\(unit) (\(tier.rawValue)): \(score.map { String($0) } ?? "?")")
                let value = try #require(score, "\(unit): \(r.stdout.suffix(300)) \(r.stderr)")
                #expect(value <= Self.ceiling[tier]!, "\(unit): exposure \(value) is above \(Self.ceiling[tier]!)")
            }
        }
        print("systemd-analyze security, \(label): " + figures.joined(separator: ", "))
        #expect(!figures.isEmpty)
    }
}
