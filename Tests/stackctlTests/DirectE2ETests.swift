import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// examples/direct.yml on the lab: no middle tier. Apache serves the shipped static
    /// release and the host's files itself, and passes the routes to the pools over FastCGI
    /// (a balancer across three worker hosts; a unix socket beside it); `status` shows the
    /// two tiers there are; a rollout under load drains each host from Apache's balancer with a
    /// graceful reload and drops no request.
    @Suite(.serialized, .needsLab) struct DirectE2ETests {
        @Test(arguments: LabKind.allCases)
        func apacheServesTheStackItselfAndARolloutUnderLoadDropsNothing(kind: LabKind) throws {
            try LabE2ETests.withApp { dir in
                let manifest = dir.appendingPathComponent("direct.yml").path
                let text = try kind.adapt(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/direct.yml"), encoding: .utf8))
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                let cfg = LabE2ETests.sshConfig
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg]) }

                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                let css = try LabE2ETests.get("\(kind.front)/static/site.css")
                let shipped = try String(contentsOf: dir.appendingPathComponent("static/site.css"), encoding: .utf8)
                #expect(css.status == 200 && css.body == shipped, "the shipped static release: \(css.status)")
                for (path, greeting, scriptName, pathInfo) in [("/shop/cart", "hello from main", "", "/shop/cart"), ("/admin", "hello from admin", "/admin", ""),
                                                              ("/admin/users/7", "hello from admin", "/admin", "/users/7")] {
                    let page = try LabE2ETests.get(kind.front + path)
                    #expect(page.status == 200 && page.json["greeting"] == greeting && page.json["script_name"] == scriptName && page.json["path_info"] == pathInfo,
                            "\(path): \(page.body)")
                }

                // Two tiers: the workers and the front; no middle to show, restart or read logs of.
                let status = try CLITests.stackctl(["status", "-f", manifest, "-F", cfg])
                #expect(status.status == 0 && status.stdout.contains("WORKERS  healthy") && status.stdout.contains("FRONT  healthy") && !status.stdout.contains("MIDDLE"), "\(status.stdout)")
                let middle = try CLITests.stackctl(["restart", "middle", "-f", manifest, "-F", cfg])
                #expect(middle.status == 64 && middle.stderr == "this stack has no middle tier: the front serves it\n")

                // A new release under load: each host leaves Apache's balancer first.
                try RolloutE2ETests.edit(dir) { $0 + "\n# v2 \(UUID().uuidString)\n" }
                var rollout = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load = try RolloutE2ETests.underLoad(dir, front: kind.front) { rollout = try CLITests.stackctl(["rollout", "main", "-f", manifest, "-F", cfg, "--json"]) }
                #expect(rollout.status == 0, "\(rollout.stderr)")
                let reloaded = Reports.deploy(rollout.stdout).byHost["front1"]?.reloaded ?? []
                #expect(rollout.stderr.contains("==> main: draining app1") && reloaded.contains { $0.hasPrefix("shop-front") }, "Apache is the tier reloaded to drain: \(reloaded)")
                #expect(load["errors"] as? Int == 0 && load["non_2xx"] as? Int == 0 && (load["ok"] as? Int ?? 0) > 100, "\(load)")
                #expect((load["releases"] as? [String: Int])?.count == 2, "both releases answered during the rollout: \(load)")
            }
        }
    }
}
