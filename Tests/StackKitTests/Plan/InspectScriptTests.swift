import Testing
@testable import StackKit

/// The inspect script, which every `up` runs on every host.
@Suite struct InspectScriptTests {
    @Test func thePortCheckRunsOnlyWhenAProgramIsNotUp() throws {
        let manifest = try Fixtures.manifest("full")
        let plan = try #require(HostPlan.all(manifest, platform: Platform()).first { $0.host.name == "app1" })
        let script = Scripts.inspect(plan).code.text
        // Each `up NAME` is a command of its own, not one quoted word that is never found (which
        // made every inspect look for the ports' holders).
        #expect(script.contains("if ! { up shop-main@0.service && up shop-main@1.service; }; then\n"), "\(script)")
        #expect(!script.contains("'up "))
    }
}

