import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// Hosts reached by the names of an ssh config that knows them only by alias (`Host
    /// shop-app1` / `HostName 127.0.0.13`, with its own identity, user and known_hosts), while
    /// the tiers still connect to each other by address.
    @Suite(.serialized, .needsLab) struct SSHAliasE2ETests {
        static func aliasConfig(_ dir: URL) throws -> String {
            let lab = LabE2ETests.lab!
            var text = """
            # Nothing here matches an address: only the aliases lead anywhere.
            Host shop-*
              User root
              IdentityFile \(lab)/id_ed25519
              IdentitiesOnly yes
              UserKnownHostsFile \(lab)/known_hosts
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes

            """
            for (name, n) in [("front1", 1), ("middle1", 2), ("app1", 3), ("app2", 4), ("app3", 6), ("admin1", 5)] {
                text += "Host shop-\(name)\n  HostName \(LabKind.plain.address(n))\n"
            }
            let path = dir.appendingPathComponent("ssh_config").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        @Test func upStatusAndRolloutReachHostsByTheirAliases() throws {
            try LabE2ETests.withApp { dir in
                let config = try Self.aliasConfig(dir)
                var text = try String(contentsOf: CLITests.repo.appendingPathComponent("examples/releases.yml"), encoding: .utf8)
                let plain = dir.appendingPathComponent("plain.yml").path
                try text.write(toFile: plain, atomically: true, encoding: .utf8)
                text = try editYAML(text) { doc in
                    for name in ["front1", "middle1", "app1", "app2", "app3", "admin1"] { try doc.set("hosts.\(name).ssh", .scalar("shop-\(name)", quoted: false)) }
                }
                let manifest = dir.appendingPathComponent("releases.yml").path
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                #expect(try YAMLEdit(text)["hosts.app3"] == .map(["address": "127.0.0.16", "ssh": "shop-app3"]), "\(text)")
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", config]) }

                // The config knows no address: without `ssh:` nothing is reached.
                let byAddress = try CLITests.stackctl(["status", "-f", plain, "-F", config, "--connect-timeout", "3"])
                #expect(byAddress.status == 3, "\(byAddress.stdout)")

                let up = try CLITests.stackctl(["up", "-f", manifest, "-F", config])
                #expect(up.status == 0, "\(up.stderr)")
                #expect(try LabE2ETests.get("\(LabKind.plain.front)/hello").status == 200, "the tiers reach each other by address")
                let status = try CLITests.stackctl(["status", "-f", manifest, "-F", config, "--json"])
                #expect(status.status == 0)
                #expect(Reports.status(status.stdout).host("app1")?.destination == "shop-app1")

                try RolloutE2ETests.edit(dir) { $0 + "\n# \(UUID().uuidString)\n" }
                let rollout = try CLITests.stackctl(["rollout", "main", "-f", manifest, "-F", config])
                #expect(rollout.status == 0, "\(rollout.stderr)")

                // An alias the config lacks: the host by its manifest name, and what ssh was handed.
                let wrong = try editYAML(text) { try $0.set("hosts.app2.ssh", "shop-nowhere") }
                let wrongPath = dir.appendingPathComponent("wrong.yml").path
                try wrong.write(toFile: wrongPath, atomically: true, encoding: .utf8)
                let lost = try CLITests.stackctl(["status", "-f", wrongPath, "-F", config, "--connect-timeout", "3"])
                #expect(lost.status == 3)
                #expect(lost.stdout.contains("app2: ") && lost.stdout.contains("(ssh shop-nowhere)"), "\(lost.stdout)")
            }
        }
    }
}
