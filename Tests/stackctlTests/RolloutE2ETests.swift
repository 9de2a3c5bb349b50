import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// Rollouts on the lab under steady load through the front, as a user runs them.
    @Suite(.needsLab) struct RolloutE2ETests {
        /// Runs `body` while scripts/load.py sends requests to `path` through the front (with its
        /// `options`, e.g. --timeline); returns its counts.
        static func underLoad(_ dir: URL, front: String = LabKind.plain.front, path: String = "/shop", options: [String] = [],
                              _ body: () throws -> Void) throws -> [String: Any] {
            let stop = dir.appendingPathComponent("stop"), out = dir.appendingPathComponent("load.json")
            try? FileManager.default.removeItem(at: stop)
            let load = Process()
            load.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            load.arguments = [CLITests.repo.appendingPathComponent("scripts/load.py").path, front + path, stop.path,
                              "--max-requests", "300000", "--max-seconds", "180"] + options
            FileManager.default.createFile(atPath: out.path, contents: nil)
            load.standardOutput = try FileHandle(forWritingTo: out)
            try load.run()
            Thread.sleep(forTimeInterval: 1)
            defer {
                FileManager.default.createFile(atPath: stop.path, contents: nil)
                load.waitUntilExit()
            }
            try body()
            FileManager.default.createFile(atPath: stop.path, contents: nil)
            load.waitUntilExit()
            return (try? JSONSerialization.jsonObject(with: Data(contentsOf: out))) as? [String: Any] ?? [:]
        }

        static func releases(_ manifest: String) throws -> [String: String] {
            let report = try Lab.StatusE2ETests.status(manifest).report
            var out: [String: String] = [:]
            for i in report.instances where i.name.hasPrefix("main/") {
                out["\(i.host) \(i.name)"] = i.release ?? "-"
            }
            return out
        }

        /// examples/releases.yml in `dir` (beside the app it ships), on `kind`'s hosts with `server` as its middle.
        static func releasesManifest(_ dir: URL, server: String, kind: LabKind) throws -> String {
            let text = try editYAML(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/releases.yml"), encoding: .utf8)) {
                try kind.adapt(&$0)
                try $0.set("middle.server", .scalar(server, quoted: false))
            }
            let manifest = dir.appendingPathComponent("releases.yml").path
            try text.write(toFile: manifest, atomically: true, encoding: .utf8)
            return manifest
        }

        static func edit(_ dir: URL, _ change: (String) -> String) throws {
            let file = dir.appendingPathComponent("app/hello.py")
            try change(try String(contentsOf: file, encoding: .utf8)).write(to: file, atomically: true, encoding: .utf8)
        }

        /// `--batch 1,100%`: one host first (a canary), then the rest at once (all but one at
        /// most: here the other two), under load, dropping nothing.
        @Test func aCanaryFirstThenTheRestDropsNoRequest() throws {
            let kind = LabKind.plain
            try LabE2ETests.withApp { dir in
                let text = try kind.adapt(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/releases.yml"), encoding: .utf8))
                let manifest = dir.appendingPathComponent("releases.yml").path
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                let cfg = LabE2ETests.sshConfig
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg]) }
                try LabE2ETests.expectUp(manifest)
                // Nothing changed: the release is built before the inspect, every host runs it,
                // so each lets the lock go in its inspect and the run has no unlock round trip.
                let again = try LabE2ETests.expectUp(manifest)
                #expect(again.report.hosts.allSatisfy(\.unchanged) && !again.report.phases.contains { $0.phase == "unlock" },
                        "\(again.report.phases)")
                try Self.edit(dir) { $0 + "\n# canary\n" }
                var rollout = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load = try Self.underLoad(dir, front: kind.front) {
                    rollout = try CLITests.stackctl(["rollout", "main", "--batch", "1,100%", "-f", manifest, "-F", cfg])
                }
                #expect(rollout.status == 0, "\(rollout.stderr)")
                #expect(rollout.stderr.contains("main: draining app1\n") && rollout.stderr.contains("draining app2, app3"), "\(rollout.stderr)")
                #expect(load["errors"] as? Int == 0 && load["non_2xx"] as? Int == 0 && (load["ok"] as? Int ?? 0) > 100, "\(load)")
            }
        }

        @Test(arguments: ["lighttpd", "nginx"], LabKind.allCases)
        func rolloutFailedReleaseAndRollbackDropNoRequest(server: String, kind: LabKind) throws {
            try LabE2ETests.withApp { dir in
                let manifest = try Self.releasesManifest(dir, server: server, kind: kind)
                let cfg = LabE2ETests.sshConfig
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg]) }

                try LabE2ETests.expectUp(manifest)
                let first = try Self.releases(manifest)
                #expect(first.count == 6 && Set(first.values).count == 1 && first.values.first != "-", "\(first)")

                // A new release across three hosts under load: no error, no non-2xx.
                try Self.edit(dir) { $0.replacingOccurrences(of: "\"greeting\": os.environ.get(\"APP_GREETING\", \"hello\")", with: "\"greeting\": os.environ.get(\"APP_GREETING\", \"hello\") + \" v2\"") }
                var rollout = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load = try Self.underLoad(dir, front: kind.front) { rollout = try CLITests.stackctl(["rollout", "main", "-f", manifest, "-F", cfg, "--json"]) }
                #expect(rollout.status == 0, "\(rollout.stderr)")
                #expect(load["errors"] as? Int == 0 && load["non_2xx"] as? Int == 0 && (load["ok"] as? Int ?? 0) > 100, "\(server): \(load)")
                let second = try Self.releases(manifest)
                #expect(Set(second.values).count == 1 && second.values.first != first.values.first, "\(second)")
                #expect((load["releases"] as? [String: Int])?.keys.sorted() == [first.values.first!, second.values.first!].sorted(), "both releases answered during the rollout")

                // A release whose app fails to import: stops at the first host, which is back and serving.
                try Self.edit(dir) { "import no_such_module_anywhere\n" + $0 }
                var failed = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load2 = try Self.underLoad(dir, front: kind.front) { failed = try CLITests.stackctl(["rollout", "main", "-f", manifest, "-F", cfg, "--json"]) }
                let report = Reports.deploy(failed.stdout)
                #expect(failed.status == 5)
                let failure = report.failure ?? ""
                #expect(failure.hasPrefix("app1: workers unhealthy") && failure.contains("ModuleNotFoundError: No module named 'no_such_module_anywhere'"), "\(failure)")
                #expect(load2["errors"] as? Int == 0 && load2["non_2xx"] as? Int == 0, "\(server): \(load2)")
                #expect(try Self.releases(manifest) == second, "every host serves the release it ran")
                let hosts = report.byHost
                #expect(hosts["app2"]?.restarted.isEmpty == true && hosts["app3"]?.restarted.isEmpty == true)

                // Rollback: every host to its previous release, the same way.
                var back = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load3 = try Self.underLoad(dir, front: kind.front) { back = try CLITests.stackctl(["rollback", "main", "-f", manifest, "-F", cfg]) }
                #expect(back.status == 0, "\(back.stderr)")
                #expect(load3["errors"] as? Int == 0 && load3["non_2xx"] as? Int == 0, "\(server): \(load3)")
                #expect(try Self.releases(manifest) == first)
            }
        }
    }
}
