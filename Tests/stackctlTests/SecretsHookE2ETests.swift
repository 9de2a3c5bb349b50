import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// Secrets from the operator's environment and a release hook, deployed to the lab: the app
    /// gets the secret, stackctl never prints it, the host keeps it for the pool's own account,
    /// and a failing hook switches nothing.
    @Suite(.serialized, .needsLab) struct SecretsHookE2ETests {
        static let secret = "s3cr3t \"pw\" \(UUID().uuidString.prefix(6))"

        @Test(arguments: LabKind.allCases)
        func theAppGetsTheSecretNothingPrintsItAndAFailingHookSwitchesNothing(kind: LabKind) throws {
            try LabE2ETests.withApp { dir in try Self.run(kind, dir) }
        }

        static func run(_ kind: LabKind, _ dir: URL) throws {
            // A release no lab host has had: its hook runs.
            try RolloutE2ETests.edit(dir) { $0 + "\n# \(UUID().uuidString)\n" }
            let manifest = dir.appendingPathComponent("releases.yml").path
            func write(hook: String) throws {
                let text = try editYAML(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/releases.yml"), encoding: .utf8)) {
                    try kind.adapt(&$0)
                    try $0.set("pools.main.env.APP_GREETING", .map(["from_env": "STACKCTL_TEST_SECRET"]))
                    try $0.set("pools.main.release_command", .text(hook))
                }
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
            }
            try write(hook: #"echo "migrating with $APP_GREETING as $(id -un) in $(basename $(dirname $(pwd)))""#)
            let cfg = LabE2ETests.sshConfig, env = ["STACKCTL_TEST_SECRET": Self.secret]
            defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg], environment: env) }

            let missing = try CLITests.stackctl(["up", "-f", manifest, "-F", cfg])
            #expect(missing.status == 1 && missing.stderr.contains("pools.main.env.APP_GREETING.from_env: the environment variable STACKCTL_TEST_SECRET is not set"), "\(missing.stderr)")

            let up = try CLITests.stackctl(["up", "-f", manifest, "-F", cfg, "--json"], environment: env)
            #expect(up.status == 0, "\(up.stderr)")
            #expect(!up.stdout.contains("s3cr3t") && !up.stderr.contains("s3cr3t"), "never printed")
            #expect(up.stderr.contains("migrating with [secret main.APP_GREETING] as shop-main in releases"), "the hook's output is streamed, redacted: \(up.stderr)")
            let page = try LabE2ETests.get("\(kind.front)/hello")
            #expect(page.json["greeting"] == Self.secret, "the app has the secret")

            // On the host: pool.json for the pool's own account only; the middle's user cannot read it.
            let app1 = kind.address(3), json = "/srv/stackctl/shop/pools/main/pool.json"
            #expect(try StatusE2ETests.ssh(app1, "stat -c '%a %U %G' \(json)").stdout == "440 shop-main shop-main\n")
            #expect(try StatusE2ETests.ssh(app1, "setpriv --reuid=www-data --regid=www-data --clear-groups cat \(json)").status != 0)

            // status needs no secret (it leaves that pool.json out of drift).
            let status = try CLITests.stackctl(["status", "-f", manifest, "-F", cfg])
            #expect(status.status == 0, "\(status.stdout)\(status.stderr)")

            // A changed secret is drift, shown without either value.
            let plan = try CLITests.stackctl(["plan", "-f", manifest, "-F", cfg], environment: ["STACKCTL_TEST_SECRET": "an0ther-pw"])
            #expect(plan.status == 2 && plan.stdout.contains("update \(json)"), "\(plan.stdout)")
            #expect(plan.stdout.contains("-      \"[not shown]\"") && plan.stdout.contains("+      \"[secret main.APP_GREETING]\""))
            #expect(!plan.stdout.contains("s3cr3t") && !plan.stdout.contains("an0ther-pw"))

            // A new release whose hook fails: exit 7, no host switched, the site still serving.
            let before = try RolloutE2ETests.releases(manifest)
            try RolloutE2ETests.edit(dir) { $0 + "\n# v2\n" }
            try write(hook: "echo 'cannot reach the database'; exit 4")
            let failed = try CLITests.stackctl(["up", "-f", manifest, "-F", cfg, "--json"], environment: env)
            #expect(failed.status == 7, "\(failed.stderr)")
            let report = Reports.deploy(failed.stdout)
            #expect(report.failure?.hasSuffix("(exit 4); its last line: cannot reach the database; nothing was switched") == true, "\(report)")
            #expect(try RolloutE2ETests.releases(manifest) == before)
            #expect(try LabE2ETests.get("\(kind.front)/hello").status == 200)
        }
    }
}

extension Lab.SecretsHookE2ETests {
    /// A pool on the middle's own host, on a unix socket, under its own account (not in the
    /// middle's group): the middle still reaches it, and nobody else can.
    @Test(arguments: ["lighttpd", "nginx"], LabKind.allCases)
    func aPoolsOwnAccountKeepsItsUnixSocketReachableByTheMiddle(server: String, kind: LabKind) throws {
        guard Lab.LabE2ETests.lab != nil else {
            Issue.record("STACKCTL_LAB is not set: a test that needs the lab carries .needsLab")
            return
        }
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try Lab.LabE2ETests.manifest(server: server, kind: kind, in: dir) {
            try $0.set("pools.admin.hosts", ["middle1"])
        }
        let cfg = Lab.LabE2ETests.sshConfig
        defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg]) }
        let up = try Lab.LabE2ETests.up(manifest)
        #expect(up.status == 0, "\(up.stderr)")
        let page = try Lab.LabE2ETests.get("\(kind.front)/admin/x")
        #expect(page.status == 200 && page.json["greeting"] == "hello from admin", "\(page.body)")
        let run = "/srv/stackctl/shop/run/admin"
        let seen = try Lab.StatusE2ETests.ssh(kind.address(2), "stat -c '%a %U %G' \(run) \(run)/0.sock; id -nG shop-admin").stdout
        #expect(seen == "750 shop-admin www-data\n666 shop-admin shop-admin\nshop-admin\n", "\(seen)")
    }
}
