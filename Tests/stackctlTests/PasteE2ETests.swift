import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// A Paste Deploy app (Tests/Fixtures/apps/paste) loaded from its release's own
    /// production.ini (`paste: production.ini`), with PasteDeploy's prefix filter, the way
    /// TurboGears deploys.
    @Suite(.needsLab) struct PasteE2ETests {
        @Test(arguments: LabKind.allCases)
        func aRelativeIniIsTheReleasesOwnThroughEveryRollout(kind: LabKind) throws {
            try LabE2ETests.withScratch { dir in
                let app = try RealApps.copy("paste", to: dir, as: "paste")
                let manifest = dir.appendingPathComponent("deploy.yml").path
                try kind.adapt("""
                name: pasteapp
                hosts:
                  front1: { address: 127.0.0.11 }
                  middle1: { address: 127.0.0.12 }
                  app1: { address: 127.0.0.13 }
                front: { hosts: [front1], server_names: [shop.example.test], health: { path: /shop/ } }
                middle: { server: nginx, hosts: [middle1], routes: { /shop: main } }
                pools:
                  main:
                    source: paste
                    paste: production.ini
                    hosts: [app1]

                """).write(toFile: manifest, atomically: true, encoding: .utf8)
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                let front = kind.address(1)
                let r = try RealApps.request("shop.example.test", at: front, "/shop/cart/7")
                #expect(r.status == 200 && r.string("greeting") == "hello from paste", "\(r.status) \(r.body)")
                #expect(r.string("script_name") == "/shop" && r.string("path_info") == "/cart/7", "the prefix filter: \(r.body)")
                #expect(r.string("here") == "/srv/stackctl/pasteapp/pools/main/current", "loaded through the release link: \(r.body)")

                // The ini is part of the release: a new one rolls out with it.
                let ini = app.appendingPathComponent("production.ini")
                try (try String(contentsOf: ini, encoding: .utf8)).replacingOccurrences(of: "greeting = hello from paste", with: "greeting = hello again")
                    .write(to: ini, atomically: true, encoding: .utf8)
                let rollout = try CLITests.stackctl(["rollout", "main", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(rollout.status == 0, "\(rollout.stderr)")
                #expect(try RealApps.request("shop.example.test", at: front, "/shop/").string("greeting") == "hello again")
            }
        }
    }
}
