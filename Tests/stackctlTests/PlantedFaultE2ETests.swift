import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// Faults planted on a running stack (the acceptance suite's second round): status names
    /// each, and `up` repairs it and says so.
    @Suite(.needsLab) struct PlantedFaultE2ETests {
        /// Pool admin on the middle's host, over a unix socket: its socket directory made one the
        /// middle's user cannot enter.
        @Test(arguments: LabKind.allCases)
        func aSocketDirectoryTheMiddleCannotEnterIsNamedAndRepaired(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, _ in
                let manifest = try LabE2ETests.manifest(server: "nginx", kind: kind, in: dir) {
                    try $0.set("pools.admin.hosts", .scalar("middle1", quoted: false))
                }
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
                try LabE2ETests.expectUp(manifest)
                let run = "\(kind.dir)2/srv/stackctl/shop/run/admin"
                #expect(chmod(run, 0o700) == 0 && chown(run, 0, 0) == 0)
                let status = try Lab.StatusE2ETests.status(manifest)
                #expect(status.status == 8, "\(status.text.prefix(600))")
                let admin = status.report.instance(host: "middle1", name: "admin/0")
                #expect(admin?.healthy == false && admin?.why?.hasPrefix("the middle server's user www-data cannot enter /srv/stackctl/shop/run/admin (700 root:root)") == true,
                        "\(String(describing: admin))")
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(up.report.byHost["middle1"]?.repaired.contains { $0.hasPrefix("/srv/stackctl/shop/run/admin: it was 700 root:root, now 750 ") } == true,
                        "\(String(describing: up.report.byHost["middle1"]))")
                #expect(try Lab.StatusE2ETests.status(manifest).status == 0)
            }
        }
    
        /// A worker's unit masked by hand (systemd hosts): status names the mask and its undoing,
        /// and `up` fails saying why instead of a bare exit 6.
        @Test func aMaskedUnitIsNamedWithTheCommandThatUndoesIt() throws {
            let kind = LabKind.systemd
            try LabE2ETests.withStack(server: "nginx", kind: kind) { _, manifest in
                try LabE2ETests.expectUp(manifest)
                let systemctl = try kind.inside(3) + ["systemctl"]
                #expect(try CLITests.capture(systemctl + ["stop", "shop-main@0.service"]).status == 0)
                #expect(try CLITests.capture(systemctl + ["mask", "shop-main@0.service"]).status == 0)
                defer { _ = try? CLITests.capture(systemctl + ["unmask", "shop-main@0.service"]) }
                let status = try Lab.StatusE2ETests.status(manifest)
                let main0 = status.report.instance(host: "app1", name: "main/0")
                #expect(main0?.process?.state == "masked" && main0?.why == "systemd has the unit masked, so nothing can start it; `systemctl unmask shop-main@0.service` undoes that, then `stackctl up`",
                        "\(String(describing: main0))")
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 6 && up.report.failure?.contains("is masked.; `systemctl unmask shop-main@0.service` undoes the mask") == true, "\(up.report.failure ?? "")")
                #expect(try CLITests.capture(systemctl + ["unmask", "shop-main@0.service"]).status == 0)
                try LabE2ETests.expectUp(manifest)
            }
        }
    
        /// A worker killed again and again until systemd's start limit stops it restarting:
        /// status names the signal, the limit and its reset; `up` resets it and starts it.
        @Test func aUnitAtItsStartLimitIsNamedAndStartedAgain() throws {
            let kind = LabKind.systemd
            try LabE2ETests.withStack(server: "nginx", kind: kind) { _, manifest in
                try LabE2ETests.expectUp(manifest)
                let unit = "shop-main@0.service"
                // Each kill is a failure systemd restarts after RestartSec=1; five starts in 10 s is its limit.
                let loop = """
                for i in 1 2 3 4 5 6 7 8 9 10; do
                  [ "$(systemctl show -p ActiveState --value \(unit))" = failed ] && exit 0
                  p=$(systemctl show -p MainPID --value \(unit)); [ "${p:-0}" -gt 0 ] && kill -KILL "$p"; sleep 1.2
                done
                exit 1
                """
                let killed = try CLITests.capture(try kind.inside(3) + ["sh", "-c", loop])
                #expect(killed.status == 0, "the unit never hit its start limit: \(killed.stdout)\(killed.stderr)")
                let main0 = try Lab.StatusE2ETests.status(manifest).report.instance(host: "app1", name: "main/0")
                #expect(main0?.healthy == false)
                #expect(main0?.why?.hasPrefix("systemd stopped restarting it: it was killed by SIGKILL and hit its start limit (5 starts in 10s); "
                    + "`systemctl reset-failed \(unit)` resets the limit") == true, "\(String(describing: main0))")
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(try Lab.StatusE2ETests.status(manifest).status == 0)
            }
        }

        /// The log directory removed on a supervisord host, then a worker killed: supervisord
        /// cannot start it again, and status names the directory; `up` makes it and starts it.
        @Test func aRemovedLogDirectoryIsNamedAndMadeAgain() throws {
            let kind = LabKind.plain
            try LabE2ETests.withStack(server: "nginx", kind: kind) { _, manifest in
                try LabE2ETests.expectUp(manifest)
                let before = try Lab.StatusE2ETests.status(manifest).report.instance(host: "app1", name: "main/0")
                let pid = try #require(before?.process?.pid)
                try FileManager.default.removeItem(atPath: "\(kind.dir)3/srv/stackctl/shop/log")
                kill(Int32(pid), SIGKILL)
                var main0: StatusReport.Instance?
                #expect(CLITests.waitFor(30) {
                    main0 = try? Lab.StatusE2ETests.status(manifest).report.instance(host: "app1", name: "main/0")
                    return main0?.why?.contains("supervisord cannot open its log file: /srv/stackctl/shop/log is gone") == true
                }, "\(String(describing: main0))")
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(try Lab.StatusE2ETests.status(manifest).status == 0)
            }
        }
    
        /// supervisord killed on the middle's host and on a worker host: its programs serve on
        /// as orphans. Status names them; `up` ends them and starts the programs under a new
        /// supervisord (the orphans hold the ports); `down` after another kill ends them too.
        @Test func programsOrphanedByAKilledSupervisordAreNamedAndEnded() throws {
            let kind = LabKind.plain
            try LabE2ETests.withStack(server: "lighttpd", kind: kind) { _, manifest in
                try LabE2ETests.expectUp(manifest)
                func killSupervisord(_ n: Int) throws {
                    let pidFile = "\(kind.dir)\(n)/srv/stackctl/shop/run/supervisord.pid"
                    let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
                    #expect(kill(pid, SIGKILL) == 0)
                    #expect(CLITests.waitFor(10) { kill(pid, 0) != 0 })
                }
                let before = try Lab.StatusE2ETests.status(manifest).report
                let worker = try #require(before.instance(host: "app1", name: "main/0")?.process?.pid)
                let middle = try #require(before.instance(host: "middle1", name: "lighttpd")?.process?.pid)
                try killSupervisord(2)
                try killSupervisord(3)
                #expect(kill(Int32(worker), 0) == 0 && kill(Int32(middle), 0) == 0, "the programs outlive supervisord")
                let status = try Lab.StatusE2ETests.status(manifest)
                #expect(status.status != 0)
                for (host, name, pid) in [("app1", "main/0", worker), ("middle1", "lighttpd", middle)] {
                    let i = status.report.instance(host: host, name: name)
                    #expect(i?.healthy == false && i?.process?.state == "unmanaged" && i?.process?.pid == pid, "\(String(describing: i))")
                    #expect(i?.why == "supervisord is not running; pid \(pid) still serves it unmanaged, left behind when supervisord died: "
                            + "`stackctl up` ends it and starts it under supervisord", "\(String(describing: i?.why))")
                }
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(up.report.byHost["app1"]?.repaired.contains("shop-main:shop-main-0: pid \(worker) ran it outside supervisord; ended, and started again under it") == true,
                        "\(String(describing: up.report.byHost["app1"]))")
                #expect(up.report.byHost["middle1"]?.repaired.contains { $0.hasPrefix("shop-middle: pid \(middle) ") } == true)
                #expect(CLITests.waitFor(10) { kill(Int32(worker), 0) != 0 && kill(Int32(middle), 0) != 0 }, "the orphans are gone")
                let after = try Lab.StatusE2ETests.status(manifest)
                #expect(after.status == 0, "\(after.text.prefix(800))")
                let new = try #require(after.report.instance(host: "app1", name: "main/0")?.process?.pid)
                #expect(new != worker)
                try killSupervisord(3)
                let down = try CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(down.status == 0, "\(down.stderr)")
                #expect(CLITests.waitFor(10) { kill(Int32(new), 0) != 0 }, "down ends what supervisord left")
            }
        }

        /// One of pool main's two hosts loses its interpreter, and its workers die: the middle
        /// sends every request to the other host, status names the bad host, and once the
        /// interpreter is back `up` starts its workers and the pool serves from both.
        @Test(arguments: LabKind.allCases, ["lighttpd", "nginx"])
        func oneBadWorkerHostNeverTakesThePoolDown(kind: LabKind, server: String) throws {
            try LabE2ETests.withStack(server: server, kind: kind) { _, manifest in
                let first = try LabE2ETests.up(manifest)
                #expect(first.status == 0, "\(first.stderr)")
                let python = "\(kind.dir)3/srv/shop/venv/bin/python"
                let before = try Lab.StatusE2ETests.status(manifest).report
                #expect(rename(python, python + ".gone") == 0)
                defer { _ = rename(python + ".gone", python) }
                // A systemd host's pids are those of its own PID namespace.
                for name in ["main/0", "main/1"] {
                    guard let pid = before.instance(host: "app1", name: name)?.process?.pid else { continue }
                    switch kind {
                    case .plain: kill(Int32(pid), SIGKILL)
                    case .systemd: _ = try CLITests.capture(try kind.inside(3) + ["kill", "-KILL", String(pid)])
                    }
                }
                var main0: StatusReport.Instance?
                #expect(CLITests.waitFor(40) {
                    main0 = try? Lab.StatusE2ETests.status(manifest).report.instance(host: "app1", name: "main/0")
                    return main0?.process.map { ProcessState($0.state).hasExited } == true
                }, "\(String(describing: main0))")
                func served() throws -> [Int] { try (0..<30).map { _ in try LabE2ETests.get("http://\(kind.address(1))/").status } }
                let during = try served()
                #expect(during.allSatisfy { $0 == 200 }, "with app1 down: \(during)")
                #expect(main0?.why?.contains("/srv/shop/venv/bin/python") == true, "\(String(describing: main0?.why))")
                #expect(rename(python + ".gone", python) == 0)
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                let after = try served()
                #expect(after.allSatisfy { $0 == 200 }, "after up: \(after)")
                let status = try Lab.StatusE2ETests.status(manifest)
                #expect(status.status == 0, "\(status.text.prefix(1500))")
            }
        }

        /// The middle stopped: the front's why names it, not the 503 page and a log timestamp.
        @Test func aStoppedMiddleIsNamedInTheFrontsWhy() throws {
            let kind = LabKind.plain
            try LabE2ETests.withStack(server: "lighttpd", kind: kind) { _, manifest in
                try LabE2ETests.expectUp(manifest)
                let stop = try Lab.StatusE2ETests.ssh(kind.address(2), "supervisorctl -s unix:///srv/stackctl/shop/run/supervisor.sock stop shop-middle")
                #expect(stop.status == 0, "\(stop.stdout)\(stop.stderr)")
                var front: StatusReport.Instance?
                #expect(CLITests.waitFor(20) {
                    front = try? Lab.StatusE2ETests.status(manifest).report.instance(host: "front1", name: "apache2")
                    return front?.why == "503: middle1 (\(kind.address(2)):8000) refused the connection"
                }, "\(String(describing: front))")
                try LabE2ETests.expectUp(manifest)
            }
        }
    
        /// The release directory `current` points at, deleted on one host, and its workers
        /// killed: status says they cannot start, and `up` prepares the release there again.
        @Test func aDeletedReleaseIsPreparedAgain() throws {
            let kind = LabKind.plain
            try LabE2ETests.withApp { dir in
                let manifest = dir.appendingPathComponent("releases.yml").path
                try FileManager.default.copyItem(atPath: CLITests.repo.appendingPathComponent("examples/releases.yml").path, toPath: manifest)
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
                try LabE2ETests.expectUp(manifest)
                let pool = "\(kind.dir)3/srv/stackctl/shop/pools/main"
                let release = try FileManager.default.destinationOfSymbolicLink(atPath: pool + "/current")
                let before = try Lab.StatusE2ETests.status(manifest).report
                try FileManager.default.removeItem(atPath: pool + "/" + release)
                for name in ["main/0", "main/1"] { if let pid = before.instance(host: "app1", name: name)?.process?.pid { kill(Int32(pid), SIGKILL) } }
                #expect(CLITests.waitFor(30) { (try? Lab.StatusE2ETests.status(manifest).report.instance(host: "app1", name: "main/0")?.healthy) == false })
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(FileManager.default.fileExists(atPath: pool + "/" + release + "/.stackctl-ready"), "prepared again")
                #expect(try Lab.StatusE2ETests.status(manifest).status == 0)
            }
        }
    }
}
