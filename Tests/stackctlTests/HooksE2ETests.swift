import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// The operator's hooks around real runs: a failing pre-deploy hook stops `up` before
    /// anything changes; passing ones are told the run; on-failure hears why a run failed.
    @Suite(.needsLab) struct HooksE2ETests {
        static func hook(_ dir: URL, _ name: String, _ body: String) throws {
            let hooks = dir.appendingPathComponent(".stackctl/hooks")
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            let url = hooks.appendingPathComponent(name)
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }

        @Test(arguments: LabKind.allCases)
        func hooksThatFailStopTheRunAndHooksThatPassAreToldIt(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, manifest in
                try LabE2ETests.expectUp(manifest)
                let original = try String(contentsOfFile: manifest, encoding: .utf8)
                try editYAML(original) { try $0.set("pools.main.env.APP_GREETING", .scalar("hooked", quoted: false)) }
                    .write(toFile: manifest, atomically: true, encoding: .utf8)
                let poolJSON = "\(kind.dir)3/srv/stackctl/shop/pools/main/pool.json"
                let before = try String(contentsOfFile: poolJSON, encoding: .utf8)

                // A failing pre-deploy hook: exit 12, its words shown, nothing changed.
                try Self.hook(dir, "pre-deploy", "echo 'tests are red on main'; exit 1")
                let stopped = try CLITests.stackctl(["up", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(stopped.status == 12)
                #expect(stopped.stderr.contains("pre-deploy hook failed (exit 1):\n  | tests are red on main\nnothing was changed"), "\(stopped.stderr)")
                #expect(try String(contentsOfFile: poolJSON, encoding: .utf8) == before, "nothing changed on the hosts")

                // Passing hooks: up goes ahead, and post-deploy is told the run.
                let told = dir.appendingPathComponent("told.env").path
                try Self.hook(dir, "pre-deploy", "exit 0")
                try Self.hook(dir, "post-deploy", "env | grep '^STACKCTL_' | sort > '\(told)'")
                let up = try CLITests.stackctl(["up", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(up.status == 0, "\(up.stderr)")
                #expect(up.stderr.contains("pre-deploy hook ran") && up.stderr.contains("post-deploy hook ran"))
                let env = try String(contentsOfFile: told, encoding: .utf8)
                for line in ["STACKCTL_COMMAND=up", "STACKCTL_OUTCOME=ok", "STACKCTL_STACK=shop", "STACKCTL_HOSTS=front1 middle1 app1 app2 admin1"] {
                    #expect(env.contains(line + "\n"), "\(line) in \(env)")
                }
                #expect(env.contains("STACKCTL_OPERATOR=") && env.contains("STACKCTL_SECONDS="))
                #expect(try String(contentsOfFile: poolJSON, encoding: .utf8).contains("hooked"))

                // Another run's lock on one host: up fails (10) and on-failure hears why.
                let lock = "\(kind.dir)1/srv/stackctl/shop/.stackctl.lock"
                let other = LockHolder(token: "t-other", identity: RunIdentity(user: "bob", machine: "elsewhere", pid: 7), command: "up", started: Date())
                try (other.json + "\n").write(toFile: lock, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(atPath: lock) }
                let heard = dir.appendingPathComponent("failure.env").path
                try Self.hook(dir, "on-failure", "echo \"$STACKCTL_OUTCOME\" > '\(heard)'")
                let locked = try CLITests.stackctl(["up", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(locked.status == 10)
                #expect(try String(contentsOfFile: heard, encoding: .utf8) == "locked\n")
            }
        }
    }
}
