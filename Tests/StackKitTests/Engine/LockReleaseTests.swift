import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// `up`'s inspect lets the lock go on a host in sync, so a no-op ends with no round trip of
/// its own; a run with work takes it again on those hosts before it changes anything. Scripted
/// hosts of fixture `full`, answering as deployed.
@Suite struct LockReleaseTests {
    typealias Respond = @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>

    /// A deployed host's inspect: its files, directories and programs as planned, the probes
    /// asked ahead answered healthy, the lock taken, and let go when the script may
    /// (`stackctl_drift`) and `inSync`. `file`: one file's hash as the host has it instead.
    static func inspect(_ plan: HostPlan, inSync: Bool = true, file: String? = nil) -> String {
        let state = PlanTests.deployed(plan)
        var lines = state.files.map { "@file \(file != nil && $0.key == plan.files[0].path ? file! : $0.value.sha256) \($0.value.ownership) \($0.key)" }
        lines += state.directories.map { "@dir \($0.value) \($0.key)" }
        lines += ["@manager up"] + state.running.map { "@running \($0)" }
        let exchanges = HealthGate<ImmediateClock>.probes(Tier.allCases, plan, plan.topology).map(\.exchange)
        let answers = FakeHost.relayAnswers(RemoteCommand(["relay"], stdin: Relay.encode(exchanges), phase: .probe), fastcgiStatus: 200)
        lines.append("@probes \(Data(answers).base64EncodedString())")
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ c: RemoteCommand) -> String { String(decoding: c.stdin, as: UTF8.self) }

    /// Every host answers its first inspect with `first(plan)`, the retake and any later read with
    /// `again(plan)` (the deployed state), every other phase as a healthy host does.
    static func deployer(first: @escaping @Sendable (HostPlan) -> String = { inspect($0) },
                         again: @escaping @Sendable (HostPlan, RemoteCommand) -> String = { p, _ in inspect(p) },
                         override: @escaping @Sendable (String, RemoteCommand) -> Result<CommandOutput, TransportError>? = { _, _ in nil })
        throws -> (Deployer<ImmediateClock>, [String: FakeTransport]) {
        let manifest = try Fixtures.manifest("full")
        var fakes: [String: FakeTransport] = [:]
        for plan in HostPlan.all(manifest, platform: Platform()) {
            fakes[plan.host.name] = FakeTransport(hostName: plan.host.name) { c in
                if let answer = override(plan.host.name, c) { return answer }
                guard c.phase == .inspect else { return FakeHost.healthy(c) }
                let script = text(c), lock = script.contains("( set -C;") ? "@acquired\n" : ""
                let out = script.contains("stackctl_drift=") ? first(plan) : again(plan, c)
                return .success(CommandOutput(status: 0, stdout: Array((lock + out).utf8)))
            }
        }
        var deployer = Deployer(manifest: manifest, connections: Connections(transports: fakes), parallel: 2, clock: ImmediateClock())
        deployer.identity = LockTests.me
        return (deployer, fakes)
    }

    @Test func aNoOpUpEndsWithItsInspectsWhenEveryHostLetTheLockGo() async throws {
        let (deployer, fakes) = try Self.deployer(first: { Self.inspect($0) + "@released\n" })
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.ok && report.hosts.allSatisfy(\.unchanged), "\(report.failure ?? "")")
        for (name, fake) in fakes { #expect(fake.phases == [.inspect], "\(name): \(fake.phases)") }
        let script = try #require(fakes["app1"]!.commands.first.map(Self.text))
        #expect(script.contains("then rm -f /srv/stackctl/shop/.stackctl.lock && printf '@released\\n'; fi"))
    }

    @Test func aHostThatKeptTheLockIsTheOnlyOneLetGoAtTheEnd() async throws {
        let (deployer, fakes) = try Self.deployer(first: { $0.host.name == "edge" ? Self.inspect($0) : Self.inspect($0) + "@released\n" })
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fakes["edge"]!.phases == [.inspect, .unlock])
        for (name, fake) in fakes where name != "edge" { #expect(fake.phases == [.inspect], "\(name): \(fake.phases)") }
    }

    @Test func aRunWithWorkTakesTheLockAgainOnTheHostsInSyncBeforeChangingAnything() async throws {
        let (deployer, fakes) = try Self.deployer(first: { plan in
            plan.host.name == "app2" ? Self.inspect(plan, file: String(repeating: "0", count: 64)) : Self.inspect(plan) + "@released\n"
        })
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fakes["app2"]!.phases.prefix(2) == [.inspect, .stage] && fakes["app2"]!.phases.last == .unlock)
        for name in ["edge", "web", "app1"] {
            let fake = fakes[name]!
            #expect(fake.phases.prefix(2) == [.inspect, .inspect] && fake.phases.last == .unlock && !fake.phases.contains(.stage), "\(name): \(fake.phases)")
            // The retake takes the lock and reads the files and directories, nothing more.
            let retake = Self.text(fake.commands[1])
            #expect(retake.contains("( set -C;") && retake.contains("sha256sum") && !retake.contains("stackctl_all_running"), "\(name)")
        }
        // Nothing was staged before every host was held again.
        let firstStage = try #require(fakes["app2"]!.commands.firstIndex { $0.phase == .stage })
        #expect(firstStage == 1)
    }

    @Test func aHostThatChangedBeforeTheRetakeIsReadAgainWhole() async throws {
        let (deployer, fakes) = try Self.deployer(
            first: { plan in plan.host.name == "app2" ? Self.inspect(plan, file: String(repeating: "0", count: 64)) : Self.inspect(plan) + "@released\n" },
            again: { plan, c in
                // Another run changed app1's first file between its inspect and the retake.
                plan.host.name == "app1" && Self.text(c).contains("( set -C;") ? Self.inspect(plan, file: String(repeating: "1", count: 64)) : Self.inspect(plan)
            })
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.ok, "\(report.failure ?? "")")
        let app1 = fakes["app1"]!
        #expect(app1.phases.prefix(3) == [.inspect, .inspect, .inspect], "\(app1.phases)")
        let whole = Self.text(app1.commands[2])
        #expect(whole.contains("stackctl_all_running") && !whole.contains("( set -C;"), "read again under the lock it holds")
        #expect(fakes["edge"]!.phases.prefix(2) == [.inspect, .inspect] && fakes["edge"]!.phases[2] != .inspect)
    }

    @Test func aLockTakenInBetweenStopsTheRunBeforeAnyChange() async throws {
        let bob = LockHolder(token: "t-bob", identity: RunIdentity(user: "bob", machine: "ws2", pid: 7), command: "up", started: Date(timeIntervalSince1970: 1_799_999_000))
        let (deployer, fakes) = try Self.deployer(first: { plan in
            plan.host.name == "app2" ? Self.inspect(plan, file: String(repeating: "0", count: 64)) : Self.inspect(plan) + "@released\n"
        }, override: { host, c in
            // Bob's run took web's lock between its inspect and the retake.
            host == "web" && c.phase == .inspect && Self.text(c).contains("( set -C;") && !Self.text(c).contains("stackctl_drift=")
                ? .success(CommandOutput(status: 0, stdout: Array("@held \(bob.json)\n".utf8))) : nil
        })
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.exitCode == .locked)
        #expect(report.failure?.hasPrefix("the stack is locked by bob@ws2 (up, pid 7") == true && report.failure?.hasSuffix("on web; nothing was changed") == true,
                "\(report.failure ?? "")")
        #expect(!fakes.values.contains { $0.phases.contains(.stage) || $0.phases.contains(.activate) })
        #expect(fakes["web"]!.phases == [.inspect, .inspect], "bob's lock is not let go")
        for name in ["edge", "app1", "app2"] { #expect(fakes[name]!.phases.last == .unlock, "\(name): \(fakes[name]!.phases)") }
    }

    /// The pools' and static directories' releases are built before the inspect, so such a
    /// stack's hosts let the lock go too (on those releases); mod_md's renewals can make work
    /// the inspect cannot see coming: an ACME stack keeps the lock.
    @Test func onlyAStackWithWorkTheInspectCannotSeeKeepsTheLock() throws {
        var manifest = try Fixtures.manifest("full")
        let run = { (m: Manifest) in UpProcedure(run: Deployer(manifest: m, connections: Connections(transports: [:]), clock: ImmediateClock()).run("up")) }
        #expect(run(manifest).releasing)
        manifest.pools[0].source = ReleaseSource(path: "/x")
        manifest.middle.shipped = [ShippedStatic(key: "middle.static.root", name: "root", source: ReleaseSource(path: "/y"))]
        #expect(run(manifest).releasing)
        var tls = FrontTLS(certificate: .acme, key: .acme)
        tls.acme = ACME(email: "ops@example.test")
        manifest.front.tls = tls
        #expect(!run(manifest).releasing)
    }

    /// A host whose pool runs another release than the one built is not settled: the run
    /// takes the lock again (and rolls it); every host of the pool on the built one is.
    @Test func aHostOnAnotherReleaseIsNotSettled() throws {
        var manifest = try Fixtures.manifest("full")
        manifest.pools[0].source = ReleaseSource(path: "/x")
        manifest.middle.shipped = [ShippedStatic(key: "middle.static.root", name: "root", source: ReleaseSource(path: "/y"))]
        let plans = HostPlan.all(manifest)
        let release = ReleaseArchive(id: "aaa111", tarGz: [], requirementsHash: "r", fileCount: 0)
        let assets = ReleaseArchive(id: "ccc333", tarGz: [], requirementsHash: "", fileCount: 0)
        let built = ["main": release, "static/root": assets]
        func inspected(_ ids: [String: String], assets: String = "ccc333") -> [Inspected] {
            plans.map { plan in
                var state = HostState()
                state.releases["main"] = ids[plan.host.name]
                if plan.routes { state.releases["static/root"] = assets }
                return Inspected(plan: plan, state: state, changes: HostChanges(files: []))
            }
        }
        let hosts = manifest.pools[0].hosts
        #expect(hosts.count == 2 && plans.contains(where: \.routes))
        let on = UpProcedure<ImmediateClock>.onReleases
        #expect(on(inspected([hosts[0]: "aaa111", hosts[1]: "aaa111"]), built, manifest))
        #expect(!on(inspected([hosts[0]: "aaa111", hosts[1]: "bbb222"]), built, manifest))
        #expect(!on(inspected([hosts[0]: "aaa111"]), built, manifest), "a host with none")
        #expect(!on(inspected([hosts[0]: "aaa111", hosts[1]: "aaa111"], assets: "ddd444"), built, manifest), "the middle on other assets")
        #expect(!on(inspected([hosts[0]: "aaa111", hosts[1]: "aaa111"]), [:], manifest), "nothing built")
    }
}
