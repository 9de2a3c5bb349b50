import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// A static directory that is fine as written may still resolve into code on the host through
/// a symlink: the inspect script resolves every served and protected directory, and `up`
/// refuses before anything changes.
@Suite struct ExposureTests {
    @Test func theInspectScriptResolvesSymlinksOnTheHost() async throws {
        let root = try Fixtures.temporaryDirectory("exposure")
        defer { try? FileManager.default.removeItem(at: root) }
        var manifest = try ManifestLoader.parse(BadManifestCases.valid.replacingOccurrences(of: "hosts: [b]", with: "hosts: [a]"))
        manifest = Fixtures.rebased(manifest, under: root.path)
        // The static root is a symlink to the pool's code: as written the paths are apart.
        try FileManager.default.createDirectory(atPath: manifest.pools[0].directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path + "/srv", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: manifest.middle.staticRoot, withDestinationPath: manifest.pools[0].directory)
        #expect(StaticExposure.find(manifest).isEmpty)

        let plan = try #require(HostPlan.all(manifest).first { $0.host.name == "a" })
        let out = try await LocalTransport(hostName: "a").run(Scripts.inspect(plan).command)
        let state = HostState(ScriptOutput(String(decoding: out.stdout, as: UTF8.self)))
        #expect(state.resolved[manifest.middle.staticRoot] == manifest.pools[0].directory)
        let found = StaticExposure.find(manifest) { state.resolved[$0] }
        #expect(found.map(\.message) == ["static root '\(manifest.pools[0].directory)' would serve the code of pool 'main' (\(manifest.pools[0].directory))"])
    }

    @Test func upRefusesAStaticRootThatResolvesIntoCodeBeforeAnyChange() async throws {
        let inspect: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            guard c.phase == .inspect else { return FakeHost.healthy(c) }
            // /srv/shop/public is a link to /srv/shop on this host: it would serve admin.ini.
            return .success(CommandOutput(status: 0, stdout: Array("@manager up\n@resolved /srv/shop/public /srv/shop\n@resolved /srv/shop/admin.ini /srv/shop/admin.ini\n".utf8)))
        }
        let (deployer, fakes) = try DeployerTests.deployer("full", ["web": inspect])
        let report = await deployer.up()
        #expect(report.exitCode == .refused)
        #expect(report.failure == "static root '/srv/shop/public' resolves on web to '/srv/shop', which would serve the Paste Deploy file of pool 'admin' (/srv/shop/admin.ini); nothing was changed")
        for fake in fakes.values { #expect(fake.phases == [.inspect]) }
    }

    @Test func theInspectScriptOfAMiddleHostResolvesEveryServedAndProtectedDirectory() throws {
        let manifest = try Fixtures.manifest("full")
        let web = try #require(HostPlan.all(manifest).first { $0.host.name == "web" })
        let app1 = try #require(HostPlan.all(manifest).first { $0.host.name == "app1" })
        let text = Scripts.inspect(web).text
        let set = try #require(text.split(separator: "\n").first { $0.hasPrefix("set -- ") })
        for path in ["/srv/shop/public", "/srv/shop/static", "/srv/stackctl/shop", "/srv/shop/app", "/srv/shop/admin.ini"] {
            #expect(set.split(separator: " ").contains(Substring(path)), "\(path)")
        }
        #expect(text.components(separatedBy: "realpath -m -- \"$@\"").count == 2, "one realpath for every path")
        #expect(!Scripts.inspect(app1).text.contains("realpath"), "only middle hosts serve files")
    }
}
