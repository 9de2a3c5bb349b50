import Testing
@testable import StackKit
import StackKitTesting

/// `plan` with scripted hosts: it reads back only files it will diff, and never diffs against
/// contents it could not read.
@Suite struct PlanEngineTests {
    @Test func newFilesAreNotReadBackAndAnUnreadableFileGetsNoMadeUpDiff() async throws {
        let web: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            switch c.phase {
            case .inspect: .success(CommandOutput(status: 0, stdout: Array("@manager up\n@file old 644:root:root /srv/stackctl/shop/middle/nginx.conf\n".utf8)))
            case .fetch: .failure(.timedOut(host: "web", command: "sh -s", after: .seconds(60)))
            default: FakeHost.healthy(c)
            }
        }
        let (deployer, fakes) = try DeployerTests.deployer("full", ["web": web])
        let report = await deployer.plan()
        #expect(fakes["app1"]!.phases == [.inspect], "a fresh host has nothing to read back")
        #expect(fakes["web"]!.phases == [.inspect, .fetch])
        let script = String(decoding: try #require(fakes["web"]!.commands.last).stdin, as: UTF8.self)
        #expect(script.contains("/srv/stackctl/shop/middle/nginx.conf") && !script.contains("pool.json"), "only the file that exists and differs")
        let h = try #require(report.hosts.first { $0.host == "web" })
        #expect(h.error?.hasPrefix("its files could not be read to diff them: ") == true)
        let conf = try #require(h.files.first { $0.path == "/srv/stackctl/shop/middle/nginx.conf" })
        #expect(conf.change == "update" && conf.diff.isEmpty)
        #expect(h.files.first { $0.path.hasSuffix("pool.json") }?.diff.hasPrefix("--- /dev/null\n") == true)
        #expect(report.exitCode == 2)
    }
}
