import Testing
@testable import StackKit
import StackKitTesting

/// The engine's policy with scripted hosts: order, gates, and what a failure stops.
@Suite struct DeployerTests {
    static func deployer(_ fixture: String = "full", _ respond: [String: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>] = [:]) throws -> (Deployer<ImmediateClock>, [String: FakeTransport]) {
        let manifest = try Fixtures.manifest(fixture)
        var fakes: [String: FakeTransport] = [:]
        for host in Topology(manifest).activeHosts {
            fakes[host.name] = FakeTransport(hostName: host.name, respond: respond[host.name] ?? FakeHost.healthy)
        }
        let deployer = Deployer(manifest: manifest, connections: Connections(transports: fakes), parallel: 2, clock: ImmediateClock())
        return (deployer, fakes)
    }

    @Test func aFreshStackGoesUpTierByTierEachGated() async throws {
        let (deployer, fakes) = try Self.deployer()
        let report = await deployer.up()
        #expect(report.ok && report.exitCode == .ok)
        #expect(fakes["app1"]!.phases == [.inspect, .stage, .activate, .probe])
        #expect(fakes["web"]!.phases == [.inspect, .stage, .activate, .probe, .activate, .probe])
        #expect(fakes["edge"]!.phases == [.inspect, .stage, .activate, .probe])
        #expect(report.tiers.map(\.tier) == [.workers, .middle, .front])
        #expect(report.hosts.first { $0.host == "web" }?.started == ["shop-admin:shop-admin-0", "shop-middle"])
    }

    @Test func anUnreachableHostStopsEverythingBeforeAnyChange() async throws {
        let (deployer, fakes) = try Self.deployer("full", ["app2": { _ in .failure(.unreachable(host: "app2", message: "ssh: connect to host 127.0.1.22 port 22: Connection refused")) }])
        let report = await deployer.up()
        #expect(report.exitCode == .unreachable && report.failure == "unreachable: app2; nothing was changed")
        #expect(report.hosts.first { $0.host == "app2" }?.reachable == false)
        for (name, fake) in fakes where name != "app2" { #expect(fake.phases == [.inspect], "\(name)") }
    }

    @Test func aRefusedConfigCleansUpEveryHostAndActivatesNothing() async throws {
        let refuse: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            c.phase == .stage
                ? .success(CommandOutput(status: 1, stdout: Array("@invalid /srv/stackctl/shop/middle/nginx.conf\n| nginx: [emerg] getpwnam(\"nosuchuser\") failed\n".utf8)))
                : FakeHost.healthy(c)
        }
        let (deployer, fakes) = try Self.deployer("full", ["web": refuse])
        let report = await deployer.up()
        #expect(report.exitCode == .refused)
        #expect(report.hosts.first { $0.host == "web" }?.error == "/srv/stackctl/shop/middle/nginx.conf is invalid:\n  nginx: [emerg] getpwnam(\"nosuchuser\") failed")
        #expect(fakes["app1"]!.phases == [.inspect, .stage, .cleanup])
        #expect(fakes["web"]!.phases == [.inspect, .stage])
        #expect(!fakes.values.contains { $0.phases.contains(.activate) })
    }

    @Test func unhealthyWorkersKeepTheMiddleAndFrontUntouched() async throws {
        let sick: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            c.phase == .probe ? .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers(c, fastcgiStatus: 500, stderr: "ImportError: shop"))) : FakeHost.healthy(c)
        }
        let (deployer, fakes) = try Self.deployer("full", ["app2": sick])
        let report = await deployer.up()
        #expect(report.exitCode == .unhealthy)
        #expect(report.failure == "app2: workers unhealthy: pool main instance 0 (127.0.1.22:9000): worker stderr: ImportError: shop")
        #expect(fakes["web"]!.phases.filter { $0 == .activate }.count == 1, "web activated its workers only")
        #expect(fakes["edge"]!.phases == [.inspect, .stage, .cleanup], "staged, never activated, its staged files removed")
    }

    @Test func aNoOpRunOnlyInspectsAndProbes() async throws {
        // Hosts answer as deployed: every file's hash matches and everything runs.
        let manifest = try Fixtures.manifest("full")
        let renderer = StackRenderer(manifest)
        var fakes: [String: FakeTransport] = [:]
        for rendered in renderer.renderAll() {
            let plan = HostPlan(rendered, topology: renderer.topology)
            let state = PlanTests.deployed(plan)
            var text = state.files.map { "@file \($0.value.sha256) \($0.value.ownership) \($0.key)" }
            text += state.directories.map { "@dir \($0.value) \($0.key)" }
            text += ["@manager up"] + state.running.map { "@running \($0)" }
            let inspect = text.joined(separator: "\n")
            fakes[plan.host.name] = FakeTransport(hostName: plan.host.name) { c in
                c.phase == .inspect ? .success(CommandOutput(status: 0, stdout: Array(inspect.utf8))) : FakeHost.healthy(c)
            }
        }
        let report = await Deployer(manifest: manifest, connections: Connections(transports: fakes), clock: ImmediateClock()).up()
        #expect(report.ok)
        #expect(report.hosts.allSatisfy { $0.unchanged })
        for (name, fake) in fakes { #expect(Set(fake.phases) == [.inspect, .probe], "\(name): \(fake.phases)") }
    }

    @Test func downStopsFrontThenMiddleThenWorkers() async throws {
        let (deployer, fakes) = try Self.deployer()
        let report = await deployer.down()
        #expect(report.ok)
        let web = fakes["web"]!.commands.map { String(decoding: $0.stdin, as: UTF8.self) }
        #expect(web.count == 2 && web[0].contains("stop shop-middle") && web[1].contains("stop shop-admin:shop-admin-0") && web[1].contains("shutdown"))
    }
}
