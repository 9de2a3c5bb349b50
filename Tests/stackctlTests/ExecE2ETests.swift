import Foundation
import Testing
import StackKitTesting

extension Lab {
    /// `stackctl exec` on the lab (plain hosts; the accounts and pool.json it uses are the same
    /// under systemd): the pool's user, release, environment and Python; one host or all; a
    /// terminal for a REPL when stackctl has one.
    @Suite(.serialized, .needsLab) struct ExecE2ETests {
        @Test func aCommandRunsInThePoolsReleaseAsItsUserOnOneHostOrAll() throws {
            try LabE2ETests.withApp { dir in
                let manifest = dir.appendingPathComponent("releases.yml").path
                let text = try editYAML(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/releases.yml"), encoding: .utf8)) {
                    try $0.set("pools.main.env.APP_GREETING", .map(["from_env": "STACKCTL_TEST_SECRET"]))
                }
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                let cfg = LabE2ETests.sshConfig, secret = "exec s3cret \(UUID().uuidString.prefix(6))"
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg]) }
                let up = try CLITests.stackctl(["up", "-f", manifest, "-F", cfg], environment: ["STACKCTL_TEST_SECRET": secret])
                #expect(up.status == 0, "\(up.stderr)")
                let exec = ["exec", "main", "-f", manifest, "-F", cfg]

                // The pool's first host, no terminal (the test's output is a file): user, release,
                // the secret from pool.json (no secret needed here), the release's Python first on PATH.
                let one = try CLITests.stackctl(exec + ["--", "sh", "-c", #"id -un; pwd; echo "$APP_GREETING"; command -v python; test -t 0 && echo tty || echo no-tty; echo oops >&2; exit 3"#])
                let release = try StatusE2ETests.ssh(LabKind.plain.address(3), "readlink -f /srv/stackctl/shop/pools/main/current").stdout
                #expect(one.status == 3)
                #expect(one.stdout == "shop-main\n\(release)\(secret)\n/srv/stackctl/shop/pools/main/current/venv/bin/python\nno-tty\n", "\(one.stdout)")
                #expect(one.stderr == "oops\n")

                // Another host by name; a host the pool is not on, a pool that is not there, no command.
                let other = try CLITests.stackctl(exec + ["--host", "app3", "--", "sh", "-c", "echo $APP_GREETING"])
                #expect(other.status == 0 && other.stdout == secret + "\n")
                let wrong = try CLITests.stackctl(exec + ["--host", "admin1", "--", "true"])
                #expect(wrong.status == 64 && wrong.stderr == "pool 'main' does not run on host 'admin1'; its hosts: app1, app2, app3\n")
                #expect(try CLITests.stackctl(["exec", "nope", "-f", manifest, "--", "true"]).status == 64)
                #expect(try CLITests.stackctl(exec).status == 64)

                // Every host: each line with its host, standard error merged, the largest status.
                // (app2 fails: its pool.json, readable by the pool's user, names the host.)
                let all = try CLITests.stackctl(exec + ["--all", "--", "sh", "-c", #"echo out; echo err >&2; grep -q '"app2"' /srv/stackctl/shop/pools/main/pool.json && exit 5; exit 0"#])
                #expect(all.status == 5, "\(all.stderr)")
                #expect(Set(all.stdout.split(separator: "\n")) == ["app1  out", "app1  err", "app2  out", "app2  err", "app3  out", "app3  err"], "\(all.stdout)")
                #expect(all.stderr == "app2: exit 5\n")
                let json = try CLITests.stackctl(exec + ["--all", "--json", "--", "echo", "hi"])
                #expect(json.status == 0 && Set(json.stdout.split(separator: "\n")) == [#"{"host":"app1","line":"hi"}"#, #"{"host":"app2","line":"hi"}"#, #"{"host":"app3","line":"hi"}"#])

                // On a terminal (a pty from script(1)): the pool's Python as a REPL, fed two lines.
                let command = ([CLITests.binary] + exec + ["--", "python", "-q"]).map { "'\($0)'" }.joined(separator: " ")
                let repl = try Self.run(["/usr/bin/script", "-qec", command, "/dev/null"], input: "import sys; print(sys.stdin.isatty(), 6 * 7)\nexit()\n")
                #expect(repl.status == 0)
                #expect(repl.stdout.contains("True 42"), "\(repl.stdout)")
                #expect(!repl.stdout.contains("Shared connection"), "ssh's notice stays off the terminal")
            }
        }

        static func run(_ argv: [String], input: String) throws -> CLITests.Result {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: argv[0])
            p.arguments = Array(argv.dropFirst())
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("exec-in-\(UUID().uuidString)")
            try input.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            p.standardInput = try FileHandle(forReadingFrom: file)
            return try CLITests.collect(p)
        }
    }
}
