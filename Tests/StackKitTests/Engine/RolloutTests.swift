import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// The rollout policy with scripted hosts.
@Suite struct RolloutTests {
    static func setup(_ respond: [String: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>] = [:]) throws -> (Deployer<ImmediateClock>, [String: FakeTransport], URL) {
        let src = try Fixtures.temporaryDirectory("rsrc")
        try "x = 1\n".write(to: src.appendingPathComponent("hello.py"), atomically: true, encoding: .utf8)
        var manifest = try Fixtures.manifest("full")
        let i = manifest.pools.firstIndex { $0.name == "main" }!
        manifest.pools[i].source = ReleaseSource(path: src.path)
        var fakes: [String: FakeTransport] = [:]
        for host in Topology(manifest).activeHosts {
            let custom = respond[host.name]
            fakes[host.name] = FakeTransport(hostName: host.name) { c in
                if FakeTransport.phase(c) == "inspect" {
                    let running = host.name.hasPrefix("app") ? "@release main 000000000old\n@previous main 00000000prev\n" : ""
                    return .success(CommandOutput(status: 0, stdout: Array("@manager up\n\(running)".utf8)))
                }
                return custom?(c) ?? FakeHost.healthy(c)
            }
        }
        return (Deployer(manifest: manifest, connections: Connections(transports: fakes), clock: ImmediateClock()), fakes, src)
    }

    @Test func eachHostIsPreparedFirstThenDrainedSwitchedGatedAndPutBack() async throws {
        let (deployer, fakes, src) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.ok, "\(report.failure ?? "")")
        for host in ["app1", "app2"] {
            #expect(fakes[host]!.phases == ["inspect", "prepare", "drain-wait", "switch", "probe", "prune"], "\(host)")
        }
        // The middle is re-rendered without the host, then with it: twice per host.
        #expect(fakes["web"]!.phases == ["inspect", "activate", "activate", "activate", "activate"])
        let drain = String(decoding: fakes["web"]!.commands[1].stdin, as: UTF8.self)
        #expect(drain.contains("base64 -d > /srv/stackctl/shop/middle/.nginx.conf.stackctl-new") && drain.contains("-s reload"))
        #expect(fakes["edge"]!.phases == ["inspect"])
    }

    @Test func aHostThatFailsItsGateGoesBackAndTheRolloutStops() async throws {
        let sick: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            FakeTransport.phase(c) == "probe"
                ? .success(CommandOutput(status: 0, stdout: Array(String(repeating: "refused 0 0 [Errno 111] Connection refused\n", count: 2).utf8)))
                : FakeHost.healthy(c)
        }
        let (deployer, fakes, src) = try Self.setup(["app1": sick])
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.exitCode == 5)
        #expect(report.failure?.hasPrefix("app1: workers unhealthy: pool main instance 0 (127.0.1.21:9000): connection refused") == true)
        #expect(report.failure?.hasSuffix("last log line of app1: stackctl launcher[1]: cannot load the WSGI application of pool main: ImportError: boom") == true, "\(report.failure ?? "")")
        let app1 = fakes["app1"]!
        #expect(app1.phases.filter { $0 == "switch" }.count == 2, "switched, then back")
        let back = String(decoding: app1.commands.last { FakeTransport.phase($0) == "switch" }!.stdin, as: UTF8.self)
        #expect(back.contains("releases/000000000old") && back.contains("printf '%s\\n' 00000000prev >"), "back to the old release, previous record restored")
        #expect(fakes["app2"]!.phases == ["inspect", "prepare"], "prepared, never touched")
        #expect(fakes["web"]!.phases.filter { $0 == "activate" }.count == 2, "drained and put back")
    }

    @Test func rollbackTargetsEachHostsPreviousReleaseWithoutBuilding() async throws {
        let (deployer, fakes, src) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .previous)
        #expect(report.ok && report.command == "rollback")
        #expect(fakes["app1"]!.phases == ["inspect", "drain-wait", "switch", "probe", "prune"])
        #expect(String(decoding: fakes["app1"]!.commands[2].stdin, as: UTF8.self).contains("releases/00000000prev"))
    }

    @Test func aFailedInstallStopsBeforeAnyTrafficMoves() async throws {
        let broken: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            FakeTransport.phase(c) == "prepare"
                ? .success(CommandOutput(status: 1, stdout: Array("@fail pip install -r requirements.txt (exit 1)\n| ERROR: No matching distribution found for nosuchpkg\n".utf8)))
                : FakeHost.healthy(c)
        }
        let (deployer, fakes, src) = try Self.setup(["app2": broken])
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.exitCode == 7)
        #expect(report.failure?.hasSuffix("of main could not be prepared on app2; no traffic moved") == true)
        #expect(report.hosts.first { $0.host == "app2" }?.error == "pip install -r requirements.txt (exit 1):\n  ERROR: No matching distribution found for nosuchpkg")
        #expect(fakes["app1"]!.phases == ["inspect", "prepare"] && fakes["web"]!.phases == ["inspect"])
    }

    @Test func batchesAndHostFiltersChooseWhatMoves() async throws {
        let (deployer, fakes, src) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        // Two hosts, batch 5: capped at one host so one always serves.
        #expect(await deployer.rollout(pool: "main", target: .newRelease, batch: 5).ok)
        #expect(fakes["web"]!.phases.filter { $0 == "activate" }.count == 4, "two batches of one")
        let (only, onlyFakes, src2) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src2) }
        #expect(await only.rollout(pool: "main", target: .newRelease, hosts: ["app2"]).ok)
        #expect(!onlyFakes["app1"]!.phases.contains("switch") && onlyFakes["app2"]!.phases.contains("switch"))
    }

    @Test func aPoolWithoutASourceHasNothingToRollOut() async throws {
        let (deployer, _, src) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "admin", target: .newRelease)
        #expect(report.exitCode == 2 && report.failure == "pool 'admin' has no 'source': there is no release to roll out")
    }
}
