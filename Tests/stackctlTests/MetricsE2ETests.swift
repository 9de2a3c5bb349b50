import Foundation
import Testing
import StackKitTesting
import StackKit

extension Trait where Self == ConditionTrait {
    /// Prometheus's promtool (Debian package prometheus), which scripts/install-deps installs.
    static var needsPromtool: Self {
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"), "promtool is missing; scripts/install-deps installs it")
    }
}

extension Lab {
    /// `status --format prometheus` and `--textfile` on a real stack, checked by promtool; the
    /// README's alert rules checked by promtool too.
    @Suite(.needsLab, .needsPromtool) struct MetricsE2ETests {
        static func promtool(_ args: [String], stdin: String? = nil) throws -> CLITests.Result {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
            p.arguments = args
            let input = Pipe(), out = Pipe(), err = Pipe()
            (p.standardInput, p.standardOutput, p.standardError) = (input, out, err)
            try p.run()
            input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
            try input.fileHandleForWriting.close()
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return CLITests.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        }

        @Test(arguments: LabKind.allCases)
        func realMetricsPassPromtoolAndTheTextfileIsWrittenWhole(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, manifest in
                try LabE2ETests.expectUp(manifest)
                let r = try CLITests.stackctl(["status", "-f", manifest, "-F", LabE2ETests.sshConfig, "--format", "prometheus"])
                #expect(r.status == 0, "\(r.stderr)")
                let checked = try Self.promtool(["check", "metrics"], stdin: r.stdout)
                #expect(checked.status == 0 && checked.stdout.isEmpty && checked.stderr.isEmpty, "promtool: \(checked.stdout)\(checked.stderr)\n\(r.stdout)")
                for line in [#"stackctl_stack_state{stack="shop",state="healthy"} 1"#,
                             #"stackctl_instance_healthy{stack="shop",tier="workers",host="app1",instance="main/0"} 1"#,
                             #"stackctl_instance_up{stack="shop",tier="middle",host="middle1",instance="nginx"} 1"#,
                             #"stackctl_host_reachable{stack="shop",host="admin1"} 1"#] {
                    #expect(r.stdout.contains(line + "\n"), "\(line) in\n\(r.stdout)")
                }

                // Written whole for node_exporter, and exit 0 whatever the stack's state: the metrics carry it.
                let out = dir.appendingPathComponent("textfile")
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                let args = ["status", "-f", manifest, "-F", LabE2ETests.sshConfig, "--textfile", out.path]
                #expect(try CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]).status == 0)
                let written = try CLITests.stackctl(args)
                #expect(written.status == 0 && written.stdout.isEmpty, "\(written.stderr)")
                let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
                #expect(files == ["stackctl_shop.prom"], "one file, no temporary left: \(files)")
                let text = try String(contentsOf: out.appendingPathComponent("stackctl_shop.prom"), encoding: .utf8)
                #expect(try Self.promtool(["check", "metrics"], stdin: text).status == 0)
                #expect(text.contains("stackctl_status_timestamp_seconds{stack=\"shop\"} "))
                #expect(text.contains(#"stackctl_stack_state{stack="shop",state="down"} 1"#), "\(text)")
                #expect(text.contains(#"stackctl_instance_up{stack="shop",tier="workers",host="app1",instance="main/0"} 0"#), "\(text)")
            }
        }

        /// The README's alert rules, as a user copies them, pass `promtool check rules`.
        @Test func theReadmesAlertRulesPassPromtool() throws {
            let readme = try String(contentsOf: CLITests.repo.appendingPathComponent("README.md"), encoding: .utf8)
            let section = try #require(readme.components(separatedBy: "# stackctl alert rules\n").dropFirst().first)
            let rules = try #require(section.components(separatedBy: "```\n").first)
            let file = try CLITests.scratch().appendingPathComponent("stackctl.rules.yml")
            try ("# stackctl alert rules\n" + rules).write(to: file, atomically: true, encoding: .utf8)
            let checked = try Self.promtool(["check", "rules", file.path])
            #expect(checked.status == 0 && checked.stdout.contains("SUCCESS: 2 rules found"), "\(checked.stdout)\(checked.stderr)")
        }
    }
}
