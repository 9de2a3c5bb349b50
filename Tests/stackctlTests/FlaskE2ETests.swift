import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// Flask 3.1 (Tests/Fixtures/apps/flask) at a prefix, as Flask's deployment docs mount it,
    /// and at the root: url_for, redirects, request.url and script_root right through every
    /// tier, and the https scheme behind a TLS front.
    @Suite(.needsLab) struct FlaskE2ETests {
        static func down(_ manifest: String) {
            _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig])
        }

        /// What the app says at `prefix` (`/yourapplication` or ``) for `site` over `scheme`.
        static func expectMounted(_ site: String, at address: String, prefix: String, scheme: String, _ label: String) throws {
            let index = try RealApps.request(site, at: address, prefix + "/", scheme: scheme)
            #expect(index.status == 200, "\(label): \(index.status) \(index.body.prefix(200))")
            #expect(index.string("url_for") == "\(prefix)/hello" && index.string("script_root") == prefix, "\(label): \(index.body)")
            #expect(index.string("url") == "\(scheme)://\(site)\(prefix)/" && index.string("scheme") == scheme, "\(label): \(index.body)")
            #expect(index.string("external") == "\(scheme)://\(site)\(prefix)/hello", "\(label): \(index.body)")
            let go = try RealApps.request(site, at: address, prefix + "/go", scheme: scheme)
            #expect(go.status == 302 && go.location == "\(scheme)://\(site)\(prefix)/hello", "\(label): \(go.status) \(go.location)")
            #expect(try RealApps.request(site, at: address, prefix + "/hello", scheme: scheme).body == "hello from flask", "\(label)")
            if !prefix.isEmpty {
                let bare = try RealApps.request(site, at: address, prefix, scheme: scheme)
                #expect(bare.status == 308 && bare.location == "\(scheme)://\(site)\(prefix)/", "\(label): \(bare.status) \(bare.location)")
            }
        }

        /// examples/flask.yml, exactly as the README's walkthrough gives it, on this kind's hosts.
        @Test(arguments: LabKind.allCases)
        func theWalkthroughsAppIsRightAtItsPrefix(kind: LabKind) throws {
            try LabE2ETests.withScratch { dir in
                try RealApps.copy("flask", to: dir, as: "yourapplication")
                let manifest = dir.appendingPathComponent("deploy.yml").path
                try kind.adapt(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/flask.yml"), encoding: .utf8))
                    .write(toFile: manifest, atomically: true, encoding: .utf8)
                defer { Self.down(manifest) }
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                try Self.expectMounted("flask.example.test", at: kind.address(3), prefix: "/yourapplication", scheme: "http", "\(kind)")
            }
        }

        /// Two pools of the app, at /yourapplication and at the root, behind a TLS front (the
        /// lab's certificate for shop.example.test), on each router: lighttpd, nginx, and Apache
        /// alone.
        @Test(arguments: ["lighttpd", "nginx", "direct"], LabKind.allCases)
        func atAPrefixAndAtTheRootOverHTTPAndHTTPS(router: String, kind: LabKind) throws {
            try LabE2ETests.withScratch { dir in
                try RealApps.copy("flask", to: dir, as: "yourapplication")
                let routes = "    /yourapplication: prefixed\n    /: rooted\n"
                let tier = router == "direct" ? "  routes:\n" + routes
                    : "middle:\n  server: \(router)\n  hosts: [middle1]\n  routes:\n" + routes
                let pool = "    source: yourapplication\n    wsgi: yourapplication:app\n    hosts: [app1]\n    health: { path: /health }\n"
                let manifest = dir.appendingPathComponent("deploy.yml").path
                try kind.adapt("""
                name: flaskapp
                hosts:
                  front1: { address: 127.0.0.11 }
                  middle1: { address: 127.0.0.12 }
                  app1: { address: 127.0.0.13 }
                front:
                  hosts: [front1]
                  server_names: [shop.example.test]
                  tls: { certificate_path: /srv/shop/tls/shop.pem, key_path: /srv/shop/tls/shop.key, redirect: false }
                  health: { path: /health }
                \(tier)pools:
                  prefixed:
                \(pool)  rooted:
                \(pool)
                """).write(toFile: manifest, atomically: true, encoding: .utf8)
                defer { Self.down(manifest) }
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(router): \(up.stderr)")
                for scheme in ["http", "https"] {
                    for prefix in ["/yourapplication", ""] {
                        try Self.expectMounted("shop.example.test", at: kind.address(1), prefix: prefix, scheme: scheme, "\(router) \(kind) \(scheme) '\(prefix)'")
                    }
                }
            }
        }
    }
}
