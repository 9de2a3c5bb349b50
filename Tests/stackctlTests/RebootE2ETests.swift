import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// A systemd host that restarts serves again by itself, in tier order on that host: no `up`
    /// in between. Each host is rebooted under steady load through the front (`scripts/lab
    /// reboot`: its PID 1 killed, every process of it with it, and booted again). On both
    /// process managers: a systemd stack (unit ordering), and a supervisord stack (its
    /// supervisord's unit, and a boot unit that starts the programs tier by tier).
    @Suite(.serialized, .needsLab) struct RebootE2ETests {
        /// multi-host.yml, with a pool beside the front (front1) and beside the middle (middle1),
        /// so that two of the rebooted hosts run two tiers each.
        static func twoTierHosts(_ doc: inout YAMLEdit, manager: String) throws {
            try doc.set("process_manager", .scalar(manager, quoted: false))
            try doc.append("pools.main.hosts", "middle1")
            try doc.append("pools.admin.hosts", "front1")
        }

        @Test(arguments: ["systemd", "supervisord"])
        func rebootedSystemdHostsServeAgainByThemselvesInTierOrder(manager: String) throws {
            guard LabE2ETests.lab != nil else {
                Issue.record("STACKCTL_LAB is not set: a test that needs the lab carries .needsLab")
                return
            }
            let kind = LabKind.systemd
            let dir = try CLITests.scratch()
            defer { try? FileManager.default.removeItem(at: dir) }
            let manifest = try LabE2ETests.manifest(server: "nginx", kind: kind, in: dir) { try Self.twoTierHosts(&$0, manager: manager) }
            defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
            let up = try LabE2ETests.up(manifest)
            #expect(up.status == 0, "\(up.stderr)")
            if manager == "supervisord" {
                // Enabled for boot, and supervisord itself run by systemd.
                let inside = try kind.inside(1)
                #expect(try CLITests.capture(inside + ["systemctl", "is-enabled", "shop-supervisord-boot.service"]).stdout == "enabled\n")
                #expect(try CLITests.capture(inside + ["systemctl", "is-active", "shop-supervisord.service"]).stdout == "active\n")
            }
            let lab = CLITests.repo.appendingPathComponent("scripts/lab").path

            var figures: [String] = []
            let load = try RolloutE2ETests.underLoad(dir, front: kind.front) {
                for (n, host, tiers) in [(3, "app1", ["shop-main"]), (2, "middle1", ["shop-main", "shop-middle"]), (1, "front1", ["shop-admin", "shop-front"])] {
                    let start = Date()
                    #expect(try CLITests.capture([lab, "reboot", "sd\(n)"]).status == 0)
                    // A bounded wait for the stack to be whole again; the figure is printed, not asserted.
                    let back = CLITests.waitFor(60) { (try? StatusE2ETests.status(manifest).status) == 0 }
                    let seconds = Date().timeIntervalSince(start)
                    #expect(back, "\(host) (sd\(n)) did not serve again by itself")
                    let after = try StatusE2ETests.status(manifest).report
                    // It really restarted: every process on that host started after the reboot began.
                    let since = Int(Date().timeIntervalSince(start).rounded(.up)) + 1
                    for i in after.instances where i.host == host {
                        let uptime = i.process?.uptimeSeconds ?? 0
                        #expect(uptime <= since, "\(host) \(i.name) is up \(uptime) s: not restarted by the reboot \(since) s ago")
                    }
                    if tiers.count > 1 { try Self.expectTierOrder(manager, host: n, lower: tiers[0], upper: tiers[1]) }
                    figures.append(String(format: "%@ (sd%d): status 0 again %.1f s after the reboot began", host, n, seconds))
                }
            }
            print("reboot under load (\(manager) stack, nginx middle):\n  " + figures.joined(separator: "\n  ") + "\n  load: \(load)")
            #expect((load["ok"] as? Int ?? 0) > 100, "\(load)")
            // `down` leaves nothing that starts at boot.
            #expect(try CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]).status == 0)
            if manager == "supervisord" {
                #expect(try CLITests.capture(try LabKind.systemd.inside(1) + ["systemctl", "is-enabled", "shop-supervisord-boot.service"]).stdout == "disabled\n")
            }
        }

        /// On systemd host n since its last boot, `upper` started only after `lower` was ready:
        /// systemd's own timestamps (a worker is ready once it notified), or the lines supervisord
        /// wrote (a program is RUNNING after its startsecs).
        static func expectTierOrder(_ manager: String, host n: Int, lower: String, upper: String) throws {
            let inside = try LabKind.systemd.inside(n)
            if manager == "systemd" {
                func stamp(_ unit: String, _ property: String) throws -> Int {
                    let out = try CLITests.capture(inside + ["systemctl", "show", "-p", property, "--value", unit]).stdout
                    return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                }
                let ready = try stamp("\(lower)@0.service", "ActiveEnterTimestampMonotonic")
                let started = try stamp("\(upper).service", "ExecMainStartTimestampMonotonic")
                #expect(ready > 0 && started >= ready, "sd\(n): \(upper) started at \(started), \(lower)@0 ready at \(ready) (µs since boot)")
            } else {
                let log = try String(contentsOfFile: "\(LabKind.systemd.dir)\(n)/srv/stackctl/shop/log/supervisord.log", encoding: .utf8)
                let boot = log.components(separatedBy: "supervisord started with pid").last ?? ""
                let running = boot.range(of: "success: \(lower)-0 entered RUNNING")?.lowerBound
                let spawned = boot.range(of: "spawned: '\(upper)'")?.lowerBound
                #expect(running != nil && spawned != nil && running! < spawned!, "sd\(n) supervisord.log since boot:\n\(boot.suffix(1500))")
            }
        }
    }
}
