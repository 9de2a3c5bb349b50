import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// `--record` on the lab, then `--replay` of what its hosts said to a fleet ten times its
    /// size: the bench's simulation of fleets no lab holds. The replay reaches no host.
    @Suite(.needsLab) struct ReplayE2ETests {
        /// h1 the front, h2 the middle, h3... pool main (the lab's provisioned /srv/shop app);
        /// hosts past the lab's six get addresses nothing is sent to.
        static func fleet(_ size: Int) -> String {
            let address = { (n: Int) in n <= 6 ? LabKind.plain.address(n) : "127.1.\(n / 256).\(n % 256)" }
            return """
            name: shop
            base: /srv/stackctl/shop
            process_manager: supervisord
            hosts:
            \((1...size).map { "  h\($0): { address: \(address($0)) }" }.joined(separator: "\n"))
            front: { hosts: [h1], port: 80, health: { path: /health } }
            middle: { server: nginx, hosts: [h2], port: 8000, static: { root: /srv/shop/static }, routes: { /: main } }
            pools:
              main:
                wsgi: hello:application
                directory: /srv/shop/app
                virtualenv: /srv/shop/venv
                instances: 2
                hosts: [\((3...size).map { "h\($0)" }.joined(separator: ", "))]
                port: 9000

            """
        }

        @Test func aRecordedLabRunAnswersAFleetOfSixtyAndNoHostHearsOfIt() throws {
            let dir = try CLITests.scratch()
            defer { try? FileManager.default.removeItem(at: dir) }
            let lab = dir.appendingPathComponent("lab.yml").path, sixty = dir.appendingPathComponent("sixty.yml").path
            try Self.fleet(6).write(toFile: lab, atomically: true, encoding: .utf8)
            try Self.fleet(60).write(toFile: sixty, atomically: true, encoding: .utf8)
            let cfg = LabE2ETests.sshConfig
            _ = try CLITests.stackctl(["down", "-f", lab, "-F", cfg])
            defer { _ = try? CLITests.stackctl(["down", "-f", lab, "-F", cfg]) }
            for n in 1...6 { _ = try StatusE2ETests.ssh(LabKind.plain.address(n), "rm -rf /srv/stackctl/shop") }

            let cold = dir.appendingPathComponent("cold.json").path, noop = dir.appendingPathComponent("noop.json").path
            let recorded = try CLITests.stackctl(["up", "-f", lab, "-F", cfg, "--record", cold])
            #expect(recorded.status == 0, "\(recorded.stderr)")
            #expect(try CLITests.stackctl(["up", "-f", lab, "-F", cfg, "--record", noop]).status == 0)
            let recording = try Recording.load(cold)
            #expect(recording.hosts.map(\.name) == ["h1", "h2", "h3", "h4", "h5", "h6"])
            #expect(recording.hosts.first { $0.name == "h3" }?.replies.map(\.label).contains("activate") == true)

            let before = LabKind.plain.connections()
            let up = try LabE2ETests.up(sixty, ["--replay", cold, "--parallel", "16"])
            #expect(up.status == 0, "\(up.stderr)")
            #expect(up.report.hosts.count == 60)
            #expect(up.report.byHost["h60"]?.started == ["shop-main:shop-main-0", "shop-main:shop-main-1"], "\(up.report)")
            let again = try LabE2ETests.up(sixty, ["--replay", noop])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.report.hosts.allSatisfy { $0.unchanged && $0.uploaded.isEmpty }, "every file matches, as on the lab")
            #expect(LabKind.plain.connections() == before, "the replays connected to no host")

            let both = try CLITests.stackctl(["up", "-f", sixty, "--record", noop, "--replay", cold])
            #expect(both.status == 64 && both.stderr.contains("--record and --replay do not go together"), "\(both.stderr)")
        }
    }
}
