import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// Both pools with `protocol: scgi` on the lab (plain hosts): behind lighttpd (mod_scgi),
    /// nginx (scgi_pass), and Apache without a middle tier (mod_proxy_scgi). The app sees its
    /// mount as through FastCGI; `status` probes each worker with stackctl's own SCGI client; a
    /// rollout under load drains each host and drops no request.
    @Suite(.serialized, .needsLab) struct SCGIE2ETests {
        @Test(arguments: ["lighttpd", "nginx", "apache"])
        func scgiWorkersServeAreProbedAndRollOutWithoutDroppingARequest(router: String) throws {
            try LabE2ETests.withApp { dir in
                let example = router == "apache" ? "direct.yml" : "releases.yml"
                let manifest = dir.appendingPathComponent(example).path
                let text = try editYAML(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/\(example)"), encoding: .utf8)) { doc in
                    // Both pools speak SCGI: main (shipped from source) and admin (prefork).
                    try doc.set("pools.main.protocol", "scgi")
                    try doc.set("pools.admin.protocol", "scgi")
                    if router != "apache" { try doc.set("middle.server", .scalar(router, quoted: false)) }
                }
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                let cfg = LabE2ETests.sshConfig
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg]) }

                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(router): \(up.stderr)")
                let front = LabKind.plain.front
                for (path, scriptName, pathInfo) in [("/shop/cart?x=1", "", "/shop/cart"), ("/", "", "/")] {
                    let page = try LabE2ETests.get(front + path)
                    #expect(page.status == 200 && page.json["greeting"] == "hello from main" && page.json["script_name"] == scriptName
                            && page.json["path_info"] == pathInfo, "\(router) \(path): \(page.body)")
                }
                let admin = try LabE2ETests.get(front + "/admin/users")
                #expect(admin.json["greeting"] == "hello from admin" && admin.json["script_name"] == "/admin" && admin.json["path_info"] == "/users", "\(admin.body)")

                // status asks every SCGI worker itself, in SCGI.
                let status = try Lab.StatusE2ETests.status(manifest)
                #expect(status.status == 0, "\(status.text)")
                let workers = status.report.instances.filter { $0.name.hasPrefix("main/") }
                #expect(workers.count == 6 && workers.allSatisfy { $0.health?.healthy == true }, "\(workers)")

                try RolloutE2ETests.edit(dir) { $0 + "\n# scgi v2 \(UUID().uuidString)\n" }
                var rollout = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load = try RolloutE2ETests.underLoad(dir, front: front) { rollout = try CLITests.stackctl(["rollout", "main", "-f", manifest, "-F", cfg]) }
                #expect(rollout.status == 0, "\(router): \(rollout.stderr)")
                #expect(load["errors"] as? Int == 0 && load["non_2xx"] as? Int == 0 && (load["ok"] as? Int ?? 0) > 100, "\(router): \(load)")
                #expect((load["releases"] as? [String: Int])?.count == 2, "both releases answered during the rollout: \(load)")
            }
        }
    }
}
