import Foundation
import Testing
@testable import StackKit

/// The names shell completion offers: read from a manifest that may still be half written.
@Suite struct ManifestNamesTests {
    @Test func namesComeFromAManifestWithErrorsElsewhere() throws {
        let dir = try Fixtures.temporaryDirectory("names")
        let file = dir.appendingPathComponent("deploy.yml").path
        try "name: x\nhosts:\n  web1: {}\n  'bad name': {}\n  db: { address: 10.0.0.2 }\nfront: { hostz: [web1] }\npools:\n  main: {}\n  api: 12\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(ManifestNames.read(file: file) == ManifestNames(hosts: ["web1", "db"], pools: ["main", "api"], tiers: ["front"]))
        #expect(ManifestNames.read(file: dir.appendingPathComponent("none.yml").path) == ManifestNames())
        try "hosts: [unclosed".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(ManifestNames.read(file: file) == ManifestNames())
    }

    @Test func aFIFOIsNotReadSoTheShellNeverHangs() throws {
        let dir = try Fixtures.temporaryDirectory("names-fifo")
        let fifo = dir.appendingPathComponent("deploy.yml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(ManifestNames.read(file: fifo) == ManifestNames())
    }

    @Test func theManifestIsTheOneTheLineNames() {
        #expect(ManifestNames.file(in: ["stackctl", "rollout", ""]) == "deploy.yml")
        #expect(ManifestNames.file(in: ["stackctl", "rollout", "-f", "a.yml", ""]) == "a.yml")
        #expect(ManifestNames.file(in: ["stackctl", "rollout", "--file", "'my dir/a.yml'", ""]) == "my dir/a.yml")
        #expect(ManifestNames.file(in: ["stackctl", "logs", "--file=b.yml", ""], shortFile: false) == "b.yml")
        #expect(ManifestNames.file(in: ["stackctl", "logs", "--file", "=", "c.yml", ""], shortFile: false) == "c.yml")
        #expect(ManifestNames.file(in: ["stackctl", "logs", "-f", "main"], shortFile: false) == "deploy.yml")
    }
}
