import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// A pool's persistent directories (`data`): where they are, who may write and read, how the
/// app finds them, and that nothing serves one the manifest does not serve.
@Suite struct DataDirectoryTests {
    /// The pool runs on the middle's host `a`, so the router may serve its data.
    static func manifest(_ data: String, alias: String = "") -> String {
        BadManifestCases.valid
            .replacingOccurrences(of: "  static: { root: /srv/static }", with: "  static: { root: /srv/static\(alias) }")
            .replacingOccurrences(of: "    hosts: [b]", with: "    hosts: [a, b]\n" + data)
    }

    static let media = "    data:\n      media: {}\n      db: { path: /var/lib/shop/db/, mode: \"0700\", env: DATABASE_DIR }"
    static let served = ", aliases: { /media/: { data: main/media } }"

    @Test func eachIsAVariableOfThePoolWithItsPathAndMode() throws {
        let pool = try #require(try ManifestLoader.parse(Self.manifest(Self.media)).pool(named: "main"))
        #expect(pool.data == [DataDirectory(name: "media", path: "/srv/stackctl/shop/data/main/media", variable: "MEDIA_DIR"),
                              DataDirectory(name: "db", path: "/var/lib/shop/db", mode: 0o700, variable: "DATABASE_DIR")])
        #expect(pool.environment.filter { ["MEDIA_DIR", "DATABASE_DIR"].contains($0.0) }.map(\.1) == ["/srv/stackctl/shop/data/main/media", "/var/lib/shop/db"])
    }

    @Test func badDataIsRefusedWithItsPosition() throws {
        let clash = Self.manifest("    env: { MEDIA_DIR: /tmp }\n    data: { media: {} }")
        #expect(Fixtures.problems(clash) == ["18:13: pools.main.data.media: its variable MEDIA_DIR is also set in pools.main.env (leave it out of env, or name another with 'env:')"])
        let open = Self.manifest("    data: { media: { mode: \"0777\" } }")
        #expect(Fixtures.problems(open) == ["17:28: pools.main.data.media.mode: mode 0777 must give the pool's user rwx and others nothing (0750, or 0700 to keep the group out)"])
        let unknown = Self.manifest("    data: { media: {} }", alias: ", aliases: { /media/: { data: main/uploads } }")
        #expect(Fixtures.problems(unknown) == ["10:60: middle.static.aliases./media/.data: no data directory 'main/uploads' (known: main/media)"])
        let closed = Self.manifest("    data: { media: { mode: \"0700\" } }", alias: Self.served)
        #expect(Fixtures.problems(closed).first?.contains("pools.main.data.media.mode: mode 700 keeps out the router, which serves it at /media/") == true,
                "\(Fixtures.problems(closed))")
    }

    @Test func onlyItsOwnAliasServesItAndNoStaticRootMayHoldIt() throws {
        #expect(Fixtures.problems(Self.manifest(Self.media, alias: Self.served)).isEmpty)
        let m = try ManifestLoader.parse(Self.manifest(Self.media, alias: Self.served))
        #expect(m.middle.aliases == [StaticAlias(url: "/media/", directory: "/srv/stackctl/shop/data/main/media/", data: "main/media")])
        let rooted = Self.manifest(Self.media).replacingOccurrences(of: "root: /srv/static", with: "root: /var/lib/shop")
        #expect(Fixtures.problems(rooted).contains { $0.contains("static root '/var/lib/shop' would serve the data directory 'db' of pool 'main' (/var/lib/shop/db)") },
                "\(Fixtures.problems(rooted))")
    }

    /// Owned by the pool's user; where the router runs and serves one, its group is the router's
    /// with setgid (it reads what the app writes, never writes); writable under systemd.
    @Test func onEachHostOfThePoolItIsThePoolsAndWritableInItsSandbox() throws {
        let m = try ManifestLoader.parse(Self.manifest(Self.media, alias: Self.served))
        let plans = HostPlan.all(m)
        func data(_ host: String) throws -> [DirectorySpec] {
            try #require(plans.first { $0.host.name == host }).directories.filter { $0.path.contains("/data") || $0.path.hasSuffix("/db") }
        }
        #expect(try data("a") == [DirectorySpec(path: "/srv/stackctl/shop/data"), DirectorySpec(path: "/srv/stackctl/shop/data/main"),
                                  DirectorySpec(path: "/srv/stackctl/shop/data/main/media", owner: "shop-main", group: "www-data", mode: 0o2750),
                                  DirectorySpec(path: "/var/lib/shop/db", owner: "shop-main", group: "shop-main", mode: 0o700)])
        #expect(try data("b") == data("a"), "the router may read it through shared storage")
        let unserved = try #require(HostPlan.all(try ManifestLoader.parse(Self.manifest(Self.media))).first { $0.host.name == "a" })
        #expect(unserved.directories.contains(DirectorySpec(path: "/srv/stackctl/shop/data/main/media", owner: "shop-main", group: "shop-main", mode: 0o750)))
        let unit = try #require(plans.first { $0.host.name == "b" }?.files.first { $0.path.hasSuffix("shop-main@.service") })
        #expect(unit.file.contents.contains(" -/srv/stackctl/shop/data/main/media -/var/lib/shop/db\n"))
        let hook = Scripts.releaseHook(m.pool(named: "main")!, id: "abc", plans.first { $0.host.name == "b" }!).text
        #expect(hook.contains("install -d -m 2750 -o shop-main -g www-data /srv/stackctl/shop/data/main/media"), "the release command may write in them")
    }

    @Test func statusFlagsOneMissingOrNotWritableAndPlanListsEach() throws {
        let m = try ManifestLoader.parse(Self.manifest(Self.media))
        let plan = try #require(HostPlan.all(m).first { $0.host.name == "b" })
        let script = Scripts.status(plan).text
        #expect(script.contains("setpriv --reuid=shop-main --regid=shop-main --init-groups -- test -w /var/lib/shop/db -a -x /var/lib/shop/db"))
        var text = "@manager up\n@proc shop-main@0.service running 10 60\n"
        for f in plan.files { text += "@file \(f.sha256) \(f.ownership) \(f.path)\n" }
        text += "@data /srv/stackctl/shop/data/main/media missing\n@data /var/lib/shop/db unwritable 700:root:root\n"
        let probes = Probes.workers(Topology(m), host: "b").map { $0.evaluate(StatusTests.ok($0)) }
        let seen = StatusChecker<ImmediateClock>.Seen(plan: plan, facts: HostStatusFacts.parse(text), probes: probes)
        let instances = StatusJudge(seen: seen, topology: Topology(m)).instances(of: .workers)
        let first = try #require(instances.first)
        #expect(first.healthy && first.dataBad)
        #expect(first.why == "data 'media' (/srv/stackctl/shop/data/main/media) is missing: `stackctl up` makes it; "
            + "data 'db' (/var/lib/shop/db) is not writable by shop-main: 700:root:root")
        #expect(StatusReport.tierState(instances) == .degraded)
    }
}
