import Foundation
import Testing
@testable import StackKit

/// The inspect script, which every `up` runs on every host.
@Suite struct InspectScriptTests {
    @Test func thePortCheckRunsOnlyWhenAProgramIsNotUp() throws {
        let manifest = try Fixtures.manifest("full")
        let plan = try #require(HostPlan.all(manifest, platform: Platform()).first { $0.host.name == "app1" })
        let script = Scripts.inspect(plan).code.text
        // Each `stackctl_running NAME` is a command of its own, not one quoted word that is never
        // found (which made every inspect look for the ports' holders).
        #expect(script.contains("stackctl_all_running() { stackctl_running shop-main@0.service && stackctl_running shop-main@1.service; }\n"), "\(script)")
        #expect(script.contains("if ! stackctl_all_running && [ -n \"$(ss -Hltn '( sport = :9000 or sport = :9001 )' 2>/dev/null)\" ]; then\n"), "\(script)")
        #expect(!script.contains("'stackctl_running "))
    }

    /// Run by a real shell against a `systemctl` whose units are all active but `inactive`:
    /// the relay answers the probes asked ahead only when every program runs.
    static func probedAhead(inactive: String) throws -> InspectReply {
        let bin = try Fixtures.temporaryDirectory("fakebin")
        defer { try? FileManager.default.removeItem(at: bin) }
        try StatusScriptTests.fake(bin, "systemctl", "case \"$*\" in *\(inactive)*) exit 3 ;; esac\nexit 0\n")
        let plan = try #require(HostPlan.all(try Fixtures.manifest("small")).first)
        let missing = bin.appendingPathComponent("none.sock").path
        let script = Scripts.inspect(plan, probes: [Relay.Exchange(endpoint: .unix(path: missing), payload: [1, 2, 3], timeout: 2)])
        let r = try Run.run(["/bin/sh", "-c", script.text], environment: ["PATH": bin.path + ":/usr/bin:/bin"])
        return InspectReply(ScriptOutput(r.stdout))
    }

    @Test func theProbesAskedAheadAreAnsweredOnlyWhenEveryProgramRuns() throws {
        let running = try Self.probedAhead(inactive: "no-such-unit")
        let answers = try #require(running.probes.flatMap { Relay.decode($0, count: 1) })
        #expect(answers.map(\.outcome) == [.missing])
        #expect(!running.state.running.isEmpty)
        let oneDown = try Self.probedAhead(inactive: "tiny-web@0.service")
        #expect(oneDown.probes == nil && !oneDown.state.running.contains("tiny-web@0.service"))
    }

    /// The inspect's own lines in a real shell, on a supervisord host of fixture `ha` moved under
    /// a scratch root: every planned file there comes back with its hash and ownership, every
    /// directory with its mode (the awk program and the stat format print the markers).
    @Test func aRealShellReadsBackEveryFilesHashAndEveryDirectory() throws {
        let root = try Fixtures.temporaryDirectory("inspect")
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = Fixtures.rebased(try Fixtures.manifest("ha"), under: root.path)
        let plan = try #require(HostPlan.all(manifest).first { !$0.files.isEmpty })
        let files = plan.files.filter { $0.path.hasPrefix(root.path) }, dirs = plan.directories.filter { $0.path.hasPrefix(root.path) }
        #expect(!files.isEmpty && !dirs.isEmpty)
        for d in dirs { try FileManager.default.createDirectory(atPath: d.path, withIntermediateDirectories: true) }
        for f in files {
            try FileManager.default.createDirectory(atPath: (f.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try f.file.contents.write(toFile: f.path, atomically: true, encoding: .utf8)
        }
        let r = try Run.run(["/bin/sh", "-c", (Scripts.inspectBody(plan) + "exit 0\n").text])
        #expect(r.status == 0, "\(r.stderr)")
        let state = InspectReply(ScriptOutput(r.stdout)).state
        for f in files { #expect(state.files[f.path]?.sha256 == f.sha256, "\(f.path): \(r.stdout)") }
        for d in dirs { #expect(state.directories[d.path] != nil, "\(d.path): \(r.stdout)") }
    }

    /// Under supervisord the inspect asks supervisord once; `stackctl_running` and
    /// `stackctl_all_running` answer from that answer.
    @Test func theSupervisordInspectsFunctionsReadItsOneAnswer() throws {
        let plan = try #require(HostPlan.all(try Fixtures.manifest("ha")).first { $0.programs.count > 1 })
        let lines = Scripts.inspectBody(plan).text.split(separator: "\n").map(String.init)
        let functions = lines.filter { $0.hasPrefix("stackctl_running()") || $0.hasPrefix("stackctl_all_running()") }
        #expect(functions.count == 2, "\(lines)")
        let names = plan.programs.map { ServiceControl.name($0, plan) }
        func run(_ running: [String]) throws -> String {
            let status = running.map { "@running \($0)" }.joined(separator: "\n")
            let script = "sv_nl='\n'\nsv_status='\(status)'\n" + functions.joined(separator: "\n")
                + "\nstackctl_running \(names[0]) && echo first; stackctl_all_running && echo all; exit 0\n"
            return try Run.run(["/bin/sh", "-c", script]).stdout
        }
        #expect(try run(names) == "first\nall\n")
        #expect(try run([names[0]]) == "first\n")
        #expect(try run(Array(names.dropFirst())) == "")
        #expect(try run([names[0] + "x"] + names.dropFirst()) == "", "a name is matched whole")
    }
}
