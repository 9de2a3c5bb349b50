import Foundation
import Testing

extension Lab {
    /// A systemd host that restarts serves again by itself, in tier order on that host: no `up`
    /// in between. Each host is rebooted under steady load through the front (`scripts/lab
    /// reboot`: its PID 1 killed, every process of it with it, and booted again).
    @Suite struct RebootE2ETests {
        @Test func rebootedSystemdHostsServeAgainByThemselves() throws {
            guard LabE2ETests.lab != nil else {
                #expect(CLITests.env["STACKCTL_REQUIRE_SERVERS"] != "1", "STACKCTL_LAB is not set; scripts/test starts the lab")
                return
            }
            let kind = LabKind.systemd
            let dir = try CLITests.scratch()
            defer { try? FileManager.default.removeItem(at: dir) }
            let manifest = try LabE2ETests.manifest(server: "nginx", kind: kind, in: dir)
            defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
            #expect(try LabE2ETests.up(manifest).status == 0)
            let lab = CLITests.repo.appendingPathComponent("scripts/lab").path

            var figures: [String] = []
            let load = try RolloutE2ETests.underLoad(dir, front: kind.front) {
                for (name, host) in [("sd3", "app1"), ("sd2", "middle1"), ("sd1", "front1")] {
                    let start = Date()
                    #expect(try CLITests.capture([lab, "reboot", name]).status == 0)
                    // A bounded wait for the stack to be whole again; the figure is printed, not asserted.
                    let back = CLITests.waitFor(60) { (try? StatusE2ETests.status(manifest).status) == 0 }
                    let seconds = Date().timeIntervalSince(start)
                    #expect(back, "\(host) (\(name)) did not serve again by itself")
                    let after = try StatusE2ETests.status(manifest).report
                    // It really restarted: every process on that host started after the reboot began.
                    let since = Int(Date().timeIntervalSince(start).rounded(.up)) + 1
                    for i in StatusE2ETests.instances(after) where i["host"] as? String == host {
                        let uptime = (i["process"] as? [String: Any])?["uptime_seconds"] as? Int ?? 0
                        #expect(uptime <= since, "\(host) \(i["name"]!) is up \(uptime) s: not restarted by the reboot \(since) s ago")
                    }
                    figures.append(String(format: "%@ (%@): status 0 again %.1f s after the reboot began", host, name, seconds))
                }
            }
            print("reboot under load (systemd stack, nginx middle):\n  " + figures.joined(separator: "\n  ") + "\n  load: \(load)")
            #expect((load["ok"] as? Int ?? 0) > 100, "\(load)")
        }
    }
}
