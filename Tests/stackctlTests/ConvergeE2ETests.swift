import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// `up` with nothing changed repairs what it finds stopped and hand-edited, names the real
    /// cause of a worker that cannot start, and reports a slow one; on both kinds of lab host.
    @Suite(.serialized, .needsLab) struct ConvergeE2ETests {
        static func up(_ manifest: String) throws -> (status: Int32, report: DeployReport, hosts: [String: DeployReport.HostReport]) {
            let r = try LabE2ETests.up(manifest)
            return (r.status, r.report, r.report.byHost)
        }

        static func ssh(_ kind: LabKind, _ n: Int, _ command: String) throws {
            let r = try StatusE2ETests.ssh(kind.address(n), command)
            #expect(r.status == 0, "\(command): \(r.stdout)")
        }

        /// Stops instance `index` of pool main on lab host `n` by hand, or kills it (the process manager then restarts it).
        static func stop(_ kind: LabKind, _ n: Int, _ index: Int, killing manifest: String? = nil) throws {
            if let manifest {
                let status = try StatusE2ETests.status(manifest)
                let pid = try #require(status.report.instance(host: "app\(n - 2)", name: "main/\(index)")?.process?.pid)
                return try ssh(kind, n, "kill -KILL \(pid)")
            }
            try ssh(kind, n, kind == .plain
                ? "supervisorctl -c /srv/stackctl/shop/supervisor/supervisord.conf stop shop-main:shop-main-\(index)"
                : "systemctl stop shop-main@\(index).service")
        }

        @Test(arguments: LabKind.allCases)
        func upRepairsNamesCausesAndReportsSlowness(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, manifest in
                try LabE2ETests.expectUp(manifest)

                // A worker stopped by hand and a middle config edited by hand: nothing changed in
                // the manifest, and up puts both right.
                try Self.stop(kind, 3, 0)
                try Self.ssh(kind, 2, "echo '# edited by hand' >> /srv/stackctl/shop/middle/nginx.conf")
                let repaired = try Self.up(manifest)
                #expect(repaired.status == 0, "\(repaired.report)")
                let unit = kind == .plain ? "shop-main:shop-main-0" : "shop-main@0.service"
                #expect(repaired.hosts["app1"]?.repaired == ["\(unit): it was not running"], "\(String(describing: repaired.hosts["app1"]))")
                #expect(repaired.hosts["middle1"]?.reloaded == ["shop-middle"] || repaired.hosts["middle1"]?.reloaded == ["shop-middle.service"])
                #expect(try StatusE2ETests.status(manifest).status == 0)

                // The app directory closed to the workers' user, and a worker killed: it cannot come
                // back. up says why, and the middle's own repair still goes ahead.
                try Self.ssh(kind, 4, "chmod 700 /srv/shop/app")
                defer { try? Self.ssh(kind, 4, "chmod 755 /srv/shop/app") }
                try Self.stop(kind, 4, 0, killing: manifest)
                try Self.ssh(kind, 2, "echo '# edited by hand again' >> /srv/stackctl/shop/middle/nginx.conf")
                let closed = try Self.up(manifest)
                #expect(closed.status == 5)
                let failure = closed.report.failure ?? ""
                #expect(failure.hasPrefix("app2: workers unhealthy: pool main instance 0"), "\(failure)")
                #expect(failure.contains("cannot enter /srv/shop/app"), "\(failure)")
                #expect((closed.hosts["middle1"]?.reloaded)?.isEmpty == false, "the pool was broken before: the middle's repair goes ahead")
                try Self.ssh(kind, 4, "chmod 755 /srv/shop/app")
                try LabE2ETests.expectUp(manifest)

                // The pool's interpreter gone: named by its path.
                try Self.ssh(kind, 4, "mv /srv/shop/venv /srv/shop/venv.away")
                defer { try? Self.ssh(kind, 4, "[ -d /srv/shop/venv.away ] && mv /srv/shop/venv.away /srv/shop/venv || true") }
                try Self.stop(kind, 4, 1, killing: manifest)
                let gone = try Self.up(manifest)
                #expect(gone.status == 5)
                let why = gone.report.failure ?? ""
                #expect(why.contains("pool main instance 1") && why.contains("its interpreter /srv/shop/venv/bin/python does not exist"), "\(why)")
                try Self.ssh(kind, 4, "mv /srv/shop/venv.away /srv/shop/venv")
                try LabE2ETests.expectUp(manifest)

                // A worker that takes 1.5 s to answer: up and status say slow, and exit 8.
                let slow = dir.appendingPathComponent("slow.yml").path
                try editYAML(try String(contentsOfFile: manifest, encoding: .utf8)) { try $0.set("pools.main.env.APP_DELAY", .text("1.5")) }
                    .write(toFile: slow, atomically: true, encoding: .utf8)
                let slowed = try Self.up(slow)
                #expect(slowed.status == 8, "\(slowed.report.failure ?? "")")
                #expect((slowed.report.warning)?.contains("answered in") == true)
                #expect((slowed.hosts["app1"]?.slow)?.count == 2)
                let status = try StatusE2ETests.status(slow)
                #expect(status.status == 8)
                let instance = try #require(status.report.instance(host: "app1", name: "main/0"))
                #expect(instance.slow == true && (instance.why)?.hasPrefix("slow: pool main instance 0") == true, "\(instance)")

                // Only each worker's first answer takes 1.5 s (an app that loads part of itself on
                // its first request): asked once more, it answers in time, and nothing is slow.
                let warming = dir.appendingPathComponent("warming.yml").path
                try editYAML(try String(contentsOfFile: manifest, encoding: .utf8)) { try $0.set("pools.main.env.APP_FIRST_DELAY", .text("1.5")) }
                    .write(toFile: warming, atomically: true, encoding: .utf8)
                let warmed = try LabE2ETests.expectUp(warming)
                #expect(warmed.report.hosts.allSatisfy { $0.slow.isEmpty } && warmed.report.warning == nil, "\(warmed.stderr)")
                #expect(warmed.stderr.contains(" ms when asked again"), "\(warmed.stderr)")
                #expect(warmed.report.hosts.contains { $0.restarted.contains { $0.hasPrefix("shop-main") || $0.hasPrefix("main") } },
                        "the workers restarted with the new variable: \(warmed.report.hosts.map(\.restarted))")
                try LabE2ETests.expectUp(manifest)
            }
        }

        /// A middle host renamed (every file on it, its supervisord config too, says the host's
        /// name) in the run that gives the middle a new alias: supervisord's update leaves the
        /// server running (its own section did not change), and `up` reloads it, so the new
        /// config is what serves. It used to be started instead: a no-op on a running server,
        /// and the old config kept serving with `up` saying all was well.
        @Test(arguments: ["lighttpd", "nginx"])
        func aServerLeftRunningBySupervisordsUpdateLoadsItsNewConfig(server: String) throws {
            try LabE2ETests.withStack(server: server, kind: .plain) { dir, manifest in
                try LabE2ETests.expectUp(manifest)
                #expect(try LabE2ETests.get("http://127.0.0.12:8000/assets/health.txt").contentType.hasPrefix("application/json"),
                        "before: the app answers /assets/")
                let renamed = dir.appendingPathComponent("renamed.yml").path
                let text = try String(contentsOfFile: manifest, encoding: .utf8)
                    .replacingOccurrences(of: "middle1", with: "web2")
                    .replacingOccurrences(of: "      /media/: /srv/shop/media/\n", with: "      /media/: /srv/shop/media/\n      /assets/: /srv/shop/static/\n")
                try #require(text.contains("/assets/") && text.contains("web2"))
                try text.write(toFile: renamed, atomically: true, encoding: .utf8)
                let r = try LabE2ETests.expectUp(renamed)
                #expect(r.report.byHost["web2"]?.reloaded == ["shop-middle"], "\(String(describing: r.report.byHost["web2"]))")
                // A reload's old workers may take one more connection as they go: a moment, not for good.
                let url = "http://127.0.0.12:8000/assets/health.txt"
                #expect(CLITests.waitFor(5) { (try? LabE2ETests.get(url))?.contentType.hasPrefix("text/plain") == true },
                        "\(String(describing: try? LabE2ETests.get(url)))")
                _ = try? CLITests.stackctl(["down", "-f", renamed, "-F", LabE2ETests.sshConfig])
            }
        }

        /// A new `max_connections` the reload cannot give the running server: on a systemd host
        /// its unit's open-file limit (systemd applies a unit when it starts the server), and
        /// lighttpd's own anywhere (it sets its limit at its start, as root, then drops to its
        /// user). `up` reloads the config and says a restart is waiting (exit 8), and so do the
        /// next `up` and `status` while that server runs; `restart middle` applies it, and `up`
        /// is clean again.
        @Test(arguments: [(LabKind.systemd, "nginx"), (LabKind.plain, "lighttpd")])
        func aLimitTheReloadCannotRaiseIsNamedUntilARestartAppliesIt(kind: LabKind, server: String) throws {
            try LabE2ETests.withStack(server: server, kind: kind) { dir, manifest in
                try LabE2ETests.expectUp(manifest)
                let serving = server == "nginx" ? "$(pgrep -f 'nginx: worker')" : "$(cat /srv/stackctl/shop/run/lighttpd.pid)"
                let limits = {
                    try StatusE2ETests.ssh(kind.address(2),
                        "for p in \(serving); do grep -o 'open files *[0-9]*' /proc/$p/limits; done | sort -u").stdout
                }
                let before = try limits()
                #expect(before.contains(" 2112"), "1024 connections: 2 files each and 64: \(before)")
                let more = dir.appendingPathComponent("more.yml").path
                try editYAML(try String(contentsOfFile: manifest, encoding: .utf8)) { try $0.set("middle.max_connections", .scalar("3000", quoted: false)) }
                    .write(toFile: more, atomically: true, encoding: .utf8)
                let r = try LabE2ETests.expectUp(more, status: 8)
                let program = kind == .systemd ? "shop-middle.service" : "shop-middle"
                #expect(r.report.byHost["middle1"]?.reloaded == [program])
                let said = kind == .systemd ? "\(program) was reloaded, but its unit changed"
                    : "\(program) was reloaded, but keeps 2112 open files where its config asks 6064"
                #expect(r.report.warning?.contains(said) == true && r.report.warning?.contains("`stackctl restart middle` applies them") == true,
                        "\(r.report.warning ?? "")")
                // Said again by every run that finds the same server running, and by status.
                let again = try LabE2ETests.expectUp(more, status: 8)
                #expect(again.report.hosts.allSatisfy(\.unchanged) && again.report.warning?.contains(said) == true, "\(again.report.warning ?? "")")
                let status = try CLITests.stackctl(["status", "--json", "-f", more, "-F", LabE2ETests.sshConfig])
                #expect(status.status == 8, "\(status.stdout)")
                #expect(status.stdout.contains("\"restart_pending\" : true") && status.stdout.contains("restart pending: \(said)"), "\(status.stdout)")
                let restarted = try CLITests.stackctl(["restart", "middle", "-f", more, "-F", LabE2ETests.sshConfig])
                #expect(restarted.status == 0, "\(restarted.stderr)")
                let after = try limits()
                #expect(after.contains(" 6064"), "\(after)")
                try LabE2ETests.expectUp(more)
            }
        }
    }
}
