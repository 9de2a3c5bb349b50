import Foundation
import Testing
import StackKit

extension Lab {
    /// `check` on the lab, and `up` refusing a host that is not ready before changing anything.
    @Suite(.serialized, .needsLab) struct CheckE2ETests {
        /// Every regular file under a directory with its modification time (directories change
        /// as the run's lock comes and goes).
        static func snapshot(_ root: String) -> [String: Date] {
            var out: [String: Date] = [:]
            for path in FileManager.default.enumerator(atPath: root)?.compactMap({ $0 as? String }) ?? [] {
                let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + path)
                guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
                out[path] = attributes?[.modificationDate] as? Date
            }
            return out
        }

        /// A systemd stack on the plain lab hosts, whose PID 1 is not systemd: `check` names it with
        /// the manifest change that fixes it, and `up` stops there (exit 11) before anything changes.
        @Test func aSystemdStackWherePID1IsNotSystemdIsRefusedUpFront() throws {
            let kind = LabKind.plain
            let dir = try CLITests.scratch()
            defer { try? FileManager.default.removeItem(at: dir) }
            let manifest = try LabE2ETests.manifest(server: "nginx", kind: kind, in: dir) { try $0.set("process_manager", "systemd") }
            let cfg = LabE2ETests.sshConfig
            let check = try CLITests.stackctl(["check", "-f", manifest, "-F", cfg])
            #expect(check.status == 11, "\(check.stdout)")
            #expect(check.stdout.contains("PID 1") && check.stdout.contains("not systemd"), "\(check.stdout)")
            #expect(check.stdout.contains("set process_manager: supervisord on hosts.front1 in the manifest"), "\(check.stdout)")
            let before = Self.snapshot("\(kind.dir)3/srv/stackctl")
            let up = try LabE2ETests.up(manifest)
            #expect(up.status == 11, "\(up.stderr)")
            #expect(up.report.failure?.contains("is not ready: PID 1: ") == true && up.report.failure?.hasSuffix("nothing was changed") == true,
                    "\(String(describing: up.report.failure))")
            #expect(up.stderr.contains("fix: run this host's stack under supervisord"), "\(up.stderr)")
            #expect(Self.snapshot("\(kind.dir)3/srv/stackctl") == before, "nothing changed on the host")
        }

        @Test func checkNamesWhatIsMissingAndUpStopsBeforeAnyChange() throws {
            let kind = LabKind.plain
            try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, manifest in
                let cfg = LabE2ETests.sshConfig
                let ready = try CLITests.stackctl(["check", "-f", manifest, "-F", cfg])
                #expect(ready.status == 0, "\(ready.stdout)")
                #expect(ready.stdout.contains("middle1: ready") && ready.stdout.contains("/usr/sbin/nginx: nginx version: nginx/"), "\(ready.stdout)")
                #expect(ready.stdout.contains("pool main: flup: flup 1.0.3 in /srv/shop/venv/bin/python"))

                // A program on the same port of another address (the lab's hosts share one network)
                // takes nothing from the middle's address.
                let elsewhere = Process()
                elsewhere.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
                elsewhere.arguments = ["-m", "http.server", "8000", "--bind", "127.0.0.1"]
                elsewhere.standardOutput = FileHandle.nullDevice
                elsewhere.standardError = FileHandle.nullDevice
                try elsewhere.run()
                // SIGKILL, by its pid: a child of the test runner starts with SIGTERM blocked.
                defer { if elsewhere.isRunning { kill(elsewhere.processIdentifier, SIGKILL) } }
                #expect(CLITests.waitFor(10) { (try? CLITests.capture(["/usr/bin/curl", "-s", "-o", "/dev/null", "http://127.0.0.1:8000/"]).status) == 0 })
                let beside = try CLITests.stackctl(["check", "-f", manifest, "-F", cfg])
                #expect(beside.status == 0, "127.0.0.1:8000 does not take \(kind.address(2)):8000: \(beside.stdout)")
                kill(elsewhere.processIdentifier, SIGKILL)
                elsewhere.waitUntilExit()

                // Another program on the middle's address and port, before the stack is up.
                let started = try StatusE2ETests.ssh(kind.address(2), "nohup /usr/bin/python3 -m http.server 8000 --bind \(kind.address(2)) >/dev/null 2>&1 & echo $!")
                let squatter = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
                defer { kill(squatter, SIGTERM) }
                #expect(CLITests.waitFor(10) { (try? CLITests.capture(["/usr/bin/curl", "-s", "-o", "/dev/null", "http://\(kind.address(2)):8000/"]).status) == 0 })
                let taken = try CLITests.stackctl(["check", "-f", manifest, "-F", cfg, "--json"])
                #expect(taken.status == 11)
                #expect(taken.stdout.contains("taken by pid \(squatter) listening on \(kind.address(2)):8000: /usr/bin/python3 -m http.server 8000"), "\(taken.stdout)")
                let before = Self.snapshot("\(kind.dir)2/srv/stackctl")
                let refused = try LabE2ETests.up(manifest)
                #expect(refused.status == 11)
                #expect(refused.report.failure?.hasPrefix("middle1 is not ready: port \(kind.address(2)):8000: taken by pid \(squatter)") == true, "\(refused.report)")
                #expect(Self.snapshot("\(kind.dir)2/srv/stackctl") == before, "nothing was written")
                kill(squatter, SIGTERM)
                #expect(CLITests.waitFor(10) { (try? CLITests.capture(["/usr/bin/curl", "-s", "-o", "/dev/null", "http://\(kind.address(2)):8000/"]).status) != 0 })
                try LabE2ETests.expectUp(manifest)
                #expect(try CLITests.stackctl(["check", "-f", manifest, "-F", cfg]).status == 0, "ports held by this stack are fine")

                // A pool's virtualenv gone: named, with the commands that make it again.
                _ = try StatusE2ETests.ssh(kind.address(3), "mv /srv/shop/venv /srv/shop/venv.away")
                defer { _ = try? StatusE2ETests.ssh(kind.address(3), "mv /srv/shop/venv.away /srv/shop/venv") }
                let gone = try CLITests.stackctl(["check", "-f", manifest, "-F", cfg])
                #expect(gone.status == 11)
                #expect(gone.stdout.contains("app1: NOT READY") && gone.stdout.contains("fix: python3 -m venv /srv/shop/venv && /srv/shop/venv/bin/pip install flup==1.0.3"), "\(gone.stdout)")
                #expect(gone.stdout.contains("fix: apt-get install -y python3-venv"))
            }
        }
    }
}
