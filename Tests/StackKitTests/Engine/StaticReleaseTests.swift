import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// Static directories shipped as releases: decoded, served from `BASE/static/NAME/current`,
/// and put live on the middle hosts before any worker switches.
@Suite struct StaticReleaseTests {
    static func manifest(assets: URL) throws -> Manifest {
        let text = try Fixtures.text("manifests/full.yml").replacingOccurrences(of: "      /static/: /srv/shop/static/", with: "      /static/: { source: assets }")
        return try ManifestLoader.parse(text, sourceBase: assets.deletingLastPathComponent().path)
    }

    @Test func aShippedAliasIsServedFromItsCurrentLinkAndExposesNothing() throws {
        let dir = try Fixtures.temporaryDirectory("static")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        let m = try Self.manifest(assets: dir.appendingPathComponent("assets"))
        #expect(m.middle.shipped == [ShippedStatic(key: "middle.static.aliases./static/", name: "static", source: ReleaseSource(path: dir.appendingPathComponent("assets").standardizedFileURL.path))])
        #expect(m.middle.aliases.contains(StaticAlias(url: "/static/", directory: "/srv/stackctl/shop/static/static/current/")))
        #expect(StaticExposure.find(m).isEmpty, "inside base by design")
        let nginx = try #require(StackRenderer(m).renderAll().first { $0.host.name == "web" }?.files.first { $0.path.hasSuffix("nginx.conf") })
        #expect(nginx.contents.contains("/srv/stackctl/shop/static/static/current/"))
        let missing = Fixtures.problems(try Fixtures.text("manifests/full.yml").replacingOccurrences(of: "      /static/: /srv/shop/static/", with: "      /static/: { ref: main }"))
        #expect(missing.contains { $0.contains("middle.static.aliases./static/.source: missing required key 'source'") }, "\(missing)")
    }

    @Test func theScriptServesTheNewReleaseWithTheOneBeforeItAndSwitchesAtomically() throws {
        let dir = try Fixtures.temporaryDirectory("static")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        let m = try Self.manifest(assets: dir.appendingPathComponent("assets"))
        let plan = try #require(HostPlan.all(m).first { $0.host.name == "web" })
        let release = ReleaseArchive(id: "abcdef012345", tarGz: [1, 2, 3], requirementsHash: "", fileCount: 1)
        let script = Scripts.placeStatic(m.middle.shipped[0], release, keep: 5, plan).text
        let d = "/srv/stackctl/shop/static/static"
        let old = try #require(script.range(of: "run 'link the release served until now' cp -al \(d)/releases/\"$old\"/. \(d)/served/abcdef012345.tmp/"))
        let new = try #require(script.range(of: "run 'link release abcdef012345' cp -al --remove-destination \(d)/releases/abcdef012345/. \(d)/served/abcdef012345.tmp/"))
        let link = try #require(script.range(of: "ln -sfn served/abcdef012345 \(d)/current.new && mv -T \(d)/current.new \(d)/current"))
        #expect(old.lowerBound < new.lowerBound && new.lowerBound < link.lowerBound, "old, then new over it, then the switch")
        #expect(Scripts.inspect(plan).text.contains("[ -L \(d)/current ] && printf '@release %s %s\\n' static/static"))
    }

    @Test func theAssetsGoLiveBeforeAnyWorkerSwitchesAndAFailureSwitchesNone() async throws {
        let dir = try Fixtures.temporaryDirectory("static")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try "a{}".write(to: dir.appendingPathComponent("assets/app.css"), atomically: true, encoding: .utf8)
        let (_, _, src) = try RolloutTests.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        for failing in [false, true] {
            var m = try Self.manifest(assets: dir.appendingPathComponent("assets"))
            let i = m.pools.firstIndex { $0.name == "main" }!
            m.pools[i].source = ReleaseSource(path: src.path)
            let log = Said()
            var fakes: [String: FakeTransport] = [:]
            for host in Topology(m).activeHosts {
                fakes[host.name] = FakeTransport(hostName: host.name) { c in
                    log.lines.withLock { $0.append("\(host.name) \(c.phase.rawValue)") }
                    if c.phase == .inspect, host.name.hasPrefix("app") {
                        return .success(CommandOutput(status: 0, stdout: Array("@manager up\n@release main 000000000old\n".utf8)))
                    }
                    if failing, c.phase == .staticRelease { return FakeHost.failed("@fail link release x (exit 1)") }
                    return FakeHost.healthy(c)
                }
            }
            let report = await Deployer(manifest: m, connections: Connections(transports: fakes), clock: ImmediateClock()).rollout(pool: "main", target: .newRelease)
            let calls = log.lines.withLock { $0 }
            if failing {
                #expect(report.exitCode == .releaseFailed && report.failure?.hasSuffix("no worker switched") == true, "\(report.failure ?? "")")
                #expect(!calls.contains { $0.hasSuffix(" prepare") || $0.hasSuffix(" switch") })
            } else {
                #expect(report.ok, "\(report.failure ?? "")")
                let placed = try #require(calls.firstIndex(of: "web static"))
                let firstSwitch = try #require(calls.firstIndex { $0.hasSuffix(" switch") })
                #expect(placed < firstSwitch)
            }
        }
    }
}

extension StaticReleaseTests {
    /// The script itself, run here on a base in a scratch directory: each release is served
    /// with the one before it, and only the newest `keep_releases` stay.
    @Test func releasesAreServedWithTheOneBeforeAndPrunedToKeepReleases() async throws {
        let root = try Fixtures.temporaryDirectory("static-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let src = root.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        let text = try Fixtures.text("manifests/small.yml")
        var m = try ManifestLoader.parse(text)
        m.base = root.appendingPathComponent("base").path
        m.middle.staticKeepReleases = 3
        let shipped = ShippedStatic(key: "middle.static.root", name: "root", source: ReleaseSource(path: src.path))
        let plan = try #require(HostPlan.all(m).first { $0.tiers.contains(.middle) })
        var ids: [String] = []
        for v in 1...5 {
            try? FileManager.default.removeItem(at: src.appendingPathComponent("app-v\(v - 1).css"))
            try "v\(v)".write(to: src.appendingPathComponent("app-v\(v).css"), atomically: true, encoding: .utf8)
            let release = try await ReleaseBuilder.build(shipped)
            ids.append(release.id)
            let r = try Run.run(["/bin/sh", "-c", Scripts.placeStatic(shipped, release, keep: 3, plan).text])
            #expect(r.status == 0 && r.stdout.contains("@switched \(v == 1 ? "" : ids[v - 2]) \(release.id)"), "\(r.stdout)\(r.stderr)")
            let current = root.appendingPathComponent("base/static/root/current")
            let served = try FileManager.default.contentsOfDirectory(atPath: current.path).sorted()
            #expect(served == (v == 1 ? ["app-v1.css"] : ["app-v\(v - 1).css", "app-v\(v).css"]), "v\(v): \(served)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: current.path) == "served/\(release.id)")
        }
        let dir = root.appendingPathComponent("base/static/root")
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("releases").path).filter { !$0.hasSuffix(".ready") }
        #expect(Set(kept) == Set(ids.suffix(3)), "the newest 3 of \(ids): \(kept)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("served").path)) == Set(ids.suffix(3)))
    }
}
