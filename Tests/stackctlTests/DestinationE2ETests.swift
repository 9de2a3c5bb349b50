import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// One manifest, two destinations, side by side on the same lab hosts: production on the
    /// manifest's ports, staging on its own, each its own stack (units, base, lock, history).
    @Suite(.needsLab) struct DestinationE2ETests {
        static let staging = """
        front: { port: 8080 }
        middle: { port: 8001 }
        pools:
          main: { port: 9200, env: { APP_GREETING: hello from staging } }
          admin: { port: 9300 }
        """

        static func run(_ args: [String], _ manifest: String) throws -> CLITests.Result {
            try CLITests.stackctl(args + ["-f", manifest, "-F", LabE2ETests.sshConfig])
        }

        @Test(arguments: LabKind.allCases)
        func stagingAndProductionSideBySide(kind: LabKind) throws {
            try LabE2ETests.withScratch { dir in
                let example = try String(contentsOf: CLITests.repo.appendingPathComponent("examples/multi-host.yml"), encoding: .utf8)
                let text = try kind.adapt(example).replacingOccurrences(of: "base: /srv/stackctl/shop\n", with: "require_destination: true\n")
                let manifest = dir.appendingPathComponent("deploy.yml").path
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                try Self.staging.write(to: dir.appendingPathComponent("deploy.staging.yml"), atomically: true, encoding: .utf8)
                try "# production: the manifest as it is\n".write(to: dir.appendingPathComponent("deploy.production.yml"), atomically: true, encoding: .utf8)
                defer {
                    for d in ["staging", "production"] { _ = try? Self.run(["down", "-d", d], manifest) }
                }

                // A bare run is refused before anything happens, naming the destinations.
                let bare = try Self.run(["up"], manifest)
                #expect(bare.status == 64)
                #expect(bare.stderr.contains("require_destination is true: name one with -d NAME; destinations: production, staging"), "\(bare.stderr)")

                for d in ["production", "staging"] {
                    let up = try Self.run(["up", "-d", d], manifest)
                    #expect(up.status == 0, "\(d): \(up.stderr)")
                }
                #expect(try LabE2ETests.get(kind.front + "/").json["greeting"] == "hello from main")
                #expect(try LabE2ETests.get(kind.front + ":8080/").json["greeting"] == "hello from staging")
                #expect(try LabE2ETests.get(kind.front + ":8080/admin/x").json["greeting"] == "hello from admin")

                // Each is its own stack on the hosts, and says which destination it is.
                #expect(FileManager.default.fileExists(atPath: "\(kind.dir)3/srv/stackctl/shop-staging/pools/main/pool.json"))
                #expect(FileManager.default.fileExists(atPath: "\(kind.dir)3/srv/stackctl/shop-production/pools/main/pool.json"))
                let status = try Self.run(["status", "-d", "staging"], manifest)
                #expect(status.status == 0 && status.stdout.contains("stack shop-staging (destination staging): healthy"), "\(status.stdout)")
                let json = try Self.run(["status", "-d", "staging", "--json"], manifest)
                #expect(json.stdout.contains(#""destination":"staging""#) || json.stdout.contains(#""destination" : "staging""#), "\(json.stdout)")
                let history = try Self.run(["history", "-d", "staging"], manifest)
                #expect(history.stdout.contains("stack shop-staging, destination staging") && history.stdout.contains("up -d staging  ok"),
                        "\(history.stdout)")
                #expect(!history.stdout.contains("-d production"), "production's runs are in its own history")
                let lock = try Self.run(["lock", "status", "-d", "production"], manifest)
                #expect(lock.stdout.contains("stack shop-production, destination production") && lock.stdout.contains("front1: free"), "\(lock.stdout)")

                // Staging goes away; production keeps serving.
                #expect(try Self.run(["down", "-d", "staging"], manifest).status == 0)
                #expect(try LabE2ETests.get(kind.front + ":8080/").status == 0)
                #expect(try LabE2ETests.get(kind.front + "/").json["greeting"] == "hello from main")
                let production = try Self.run(["status", "-d", "production"], manifest)
                #expect(production.status == 0, "\(production.stdout)")
            }
        }
    }
}
