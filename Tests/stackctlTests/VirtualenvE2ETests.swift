import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// A pool's virtualenv built once by stackctl and unpacked on every host: the hosts' pip
    /// is pointed at an index that does not answer, and the release deploys all the same.
    @Suite(.needsLab, .serialized) struct VirtualenvE2ETests {
        static let hosts = [3, 4, 6]   // app1, app2, app3 of examples/releases.yml
        static let pipConf = "/root/.config/pip/pip.conf"
        static let venvs = "/srv/stackctl/shop/pools/main/venvs"

        @Test func hostsWithNoIndexDeployAReleaseWhoseVirtualenvWasBuiltOnce() throws {
            let kind = LabKind.plain
            try LabE2ETests.withApp { dir in
                // A requirement with a compiled part (MarkupSafe's wheel is for this Python and platform).
                try "flup==1.0.3\nMarkupSafe==3.0.4\n".write(to: dir.appendingPathComponent("app/requirements.txt"), atomically: true, encoding: .utf8)
                let manifest = try RolloutE2ETests.releasesManifest(dir, server: "nginx", kind: kind)
                let cfg = LabE2ETests.sshConfig
                // The hosts' pip: an index nobody answers at. Their earlier releases and virtualenvs go.
                _ = try CLITests.stackctl(["down", "-f", manifest, "-F", cfg])
                let block = "mkdir -p /root/.config/pip && printf '[global]\\nindex-url = http://127.0.0.1:9/simple\\ntimeout = 2\\nretries = 0\\n' > \(Self.pipConf)"
                for n in Self.hosts { #expect(try StatusE2ETests.ssh(kind.address(n), block + " && rm -rf /srv/stackctl/shop/pools/main").status == 0) }
                defer {
                    _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg])
                    for n in Self.hosts { _ = try? StatusE2ETests.ssh(kind.address(n), "rm -f \(Self.pipConf)") }
                }
                let refused = try StatusE2ETests.ssh(kind.address(3), "/usr/bin/python3 -m pip download --no-deps -q -d /tmp/nothing flup==1.0.3")
                #expect(refused.status != 0, "the hosts reach no index: \(refused.stdout)\(refused.stderr)")

                // stackctl builds it here from the wheelhouse (this machine's own pip settings), once.
                let env = ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": RealApps.wheels, "XDG_CACHE_HOME": dir.appendingPathComponent("cache").path]
                let up = try CLITests.stackctl(["up", "-f", manifest, "-F", cfg], environment: env)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(up.stderr.components(separatedBy: "built once here for 3 hosts").count == 2, "built once: \(up.stderr)")
                for host in ["app1", "app2", "app3"] {
                    #expect(up.stderr.contains("ok \(host): release ") && up.stderr.contains("prepared (its virtualenv unpacked: no pip ran)"), "\(host): \(up.stderr)")
                }
                let status = try StatusE2ETests.status(manifest)
                #expect(status.status == 0, "\(status.text)")
                // The hosts' paths are in it, bytecode included.
                let probe = "/srv/stackctl/shop/pools/main/current/venv/bin/python -c "
                    + "'import os, markupsafe, flup.server.fcgi; print(os.path.realpath(markupsafe.__file__))'"
                let imported = try StatusE2ETests.ssh(kind.address(4), probe)
                #expect(imported.status == 0 && imported.stdout.hasPrefix(Self.venvs + "/"), "\(imported.stdout)\(imported.stderr)")
                let pyc = try StatusE2ETests.ssh(kind.address(4), "grep -rlF -- /tmp/stackctl-venv \(Self.venvs) | head -3")
                #expect(pyc.stdout.isEmpty, "no file names the scratch path it was built at: \(pyc.stdout)")

                // A new release with the same requirements ships no virtualenv again.
                try RolloutE2ETests.edit(dir) { $0 + "\n# same requirements\n" }
                let again = try CLITests.stackctl(["up", "-f", manifest, "-F", cfg], environment: env)
                #expect(again.status == 0 && !again.stderr.contains("built once here"), "\(again.stderr)")
                print("venv once: \(up.stderr.split(separator: "\n").filter { $0.contains("virtualenv") }.joined(separator: " | "))")
            }
        }
    }
}
