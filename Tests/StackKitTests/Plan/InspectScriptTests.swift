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
}
