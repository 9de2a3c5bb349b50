import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// The rollout policy with scripted hosts.
@Suite struct RolloutTests {
    /// `inspect`: a host's inspect answer from its name and script (default: app hosts on an old release).
    static func setup(_ respond: [String: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>] = [:],
                      inspect: (@Sendable (String, String) -> String)? = nil) throws -> (Deployer<ImmediateClock>, [String: FakeTransport], URL) {
        let src = try Fixtures.temporaryDirectory("rsrc")
        try "x = 1\n".write(to: src.appendingPathComponent("hello.py"), atomically: true, encoding: .utf8)
        var manifest = try Fixtures.manifest("full")
        let i = manifest.pools.firstIndex { $0.name == "main" }!
        manifest.pools[i].source = ReleaseSource(path: src.path)
        var fakes: [String: FakeTransport] = [:]
        for host in Topology(manifest).activeHosts {
            let custom = respond[host.name]
            fakes[host.name] = FakeTransport(hostName: host.name) { c in
                if c.phase == .inspect, let inspect {
                    return .success(CommandOutput(status: 0, stdout: Array(inspect(host.name, String(decoding: c.stdin, as: UTF8.self)).utf8)))
                }
                if c.phase == .inspect {
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
            #expect(fakes[host]!.phases == [.inspect, .prepare, .switchRelease, .probe], "\(host)")
        }
        // The middle is re-rendered without app1; then with app1 and without app2 (one reload
        // puts a batch back and drains the next); then with both.
        #expect(fakes["web"]!.phases == [.inspect, .reloadMiddle, .reloadMiddle, .reloadMiddle])
        let drain = String(decoding: fakes["web"]!.commands[1].stdin, as: UTF8.self)
        #expect(drain.contains("base64 -d > /srv/stackctl/shop/middle/.nginx.conf.stackctl-new") && drain.contains("-s reload"))
        #expect(fakes["edge"]!.phases == [.inspect])
    }

    func app1Phases(_ fakes: [String: FakeTransport]) -> [HostPhase] { fakes["app1"]!.phases }

    /// The switch waits for the host's drain, restarts, and asks the pool's workers itself: when
    /// they answer healthy there is no gate of its own; when one does not, the gate asks again.
    @Test(arguments: [(200, false), (500, true)])
    func theSwitchDrainsRestartsAndAsksTheWorkersInOneRoundTrip(status: Int, gated: Bool) async throws {
        let answering: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            guard c.phase == .switchRelease else { return FakeHost.healthy(c) }
            return .success(CommandOutput(status: 0, stdout: Array("@drained 3\n@switched 000000000old new\n\(FakeHost.probesLine(c, fastcgiStatus: status))".utf8)))
        }
        let (deployer, fakes, src) = try Self.setup(["app1": answering, "app2": answering])
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        if gated {
            // The gate's own probe (the fake's answers 200) decides.
            #expect(report.ok && fakes["app1"]!.phases == [.inspect, .prepare, .switchRelease, .probe], "the gate asked again: \(fakes["app1"]!.phases)")
        } else {
            #expect(report.ok, "\(report.failure ?? "")")
            for host in ["app1", "app2"] { #expect(fakes[host]!.phases == [.inspect, .prepare, .switchRelease], "\(host)") }
            #expect(report.tiers.filter { $0.tier == .workers }.flatMap(\.probes).count == 4, "both instances on both hosts judged")
        }
        let script = String(decoding: try #require(fakes["app1"]!.commands.first { $0.phase == .switchRelease }).stdin, as: UTF8.self)
        let drain = try #require(script.range(of: "ss -Htn state established")), restart = try #require(script.range(of: "run 'restart main'"))
        let relay = try #require(script.range(of: " -I -S -c "))
        #expect(drain.lowerBound < restart.lowerBound && restart.lowerBound < relay.lowerBound, "drain, restart, then ask")
        #expect(script.contains(" 3.0 || true\n"), "asked again for up to 3 s while it refuses")
    }

    /// A host whose workers refuse every probe.
    static let sick: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
        c.phase == .probe
            ? .success(CommandOutput(status: 0, stdout: Array(String(repeating: "refused 0 0 [Errno 111] Connection refused\n", count: 2).utf8)))
            : FakeHost.healthy(c)
    }

    @Test func aHostThatFailsItsGateGoesBackAndTheRolloutStops() async throws {
        let sick = Self.sick
        let (deployer, fakes, src) = try Self.setup(["app1": sick])
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.exitCode == .unhealthy)
        #expect(report.failure?.hasPrefix("app1: workers unhealthy: pool main instance 0 (127.0.1.21:9000): connection refused") == true)
        #expect(app1Phases(fakes).contains(.status), "the why comes from status")
        let app1 = fakes["app1"]!
        #expect(app1.phases.filter { $0 == .switchRelease }.count == 2, "switched, then back")
        let back = String(decoding: app1.commands.last { $0.phase == .switchRelease }!.stdin, as: UTF8.self)
        #expect(back.contains("releases/000000000old") && back.contains("printf '%s\\n' 00000000prev >"), "back to the old release, previous record restored")
        #expect(fakes["app2"]!.phases == [.inspect, .prepare], "prepared, never touched")
        #expect(report.hosts.first { $0.host == "app1" }?.restarted.last == "main back to 000000000old")
        #expect(fakes["web"]!.phases.filter { $0 == .reloadMiddle }.count == 2, "drained and put back")
    }

    /// `--max-fail 1`: app1 fails its gate and goes back, and the rollout goes on to app2; the
    /// run still ends unhealthy. `--max-fail 0%` of two hosts stops at the first, as without it.
    @Test func maxFailLetsThatManyHostsFailAndGoesOn() async throws {
        #expect(FailLimit("1") == .hosts(1) && FailLimit("10%") == .percent(10) && FailLimit("-1") == nil && FailLimit("101%") == nil)
        #expect(FailLimit.percent(10).allowed(of: 28) == 2 && FailLimit.percent(50).allowed(of: 2) == 1)
        let sick = Self.sick
        let (deployer, fakes, src) = try Self.setup(["app1": sick])
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease, maxFail: .hosts(1))
        #expect(report.exitCode == .unhealthy, "a host failed")
        #expect(fakes["app1"]!.phases.filter { $0 == .switchRelease }.count == 2, "switched, then back")
        #expect(fakes["app2"]!.phases.filter { $0 == .switchRelease }.count == 1, "app2 moved all the same")
        #expect(report.hosts.first { $0.host == "app2" }?.restarted.contains("main on \(report.hosts.first { $0.host == "app2" }?.releases["main"] ?? "?")") == true)
        let (strict, strictFakes, src2) = try Self.setup(["app1": sick])
        defer { try? FileManager.default.removeItem(at: src2) }
        #expect(await strict.rollout(pool: "main", target: .newRelease, maxFail: .percent(0)).exitCode == .unhealthy)
        #expect(strictFakes["app2"]!.phases == [.inspect, .prepare], "stopped at the first failure")
    }

    @Test func aSwitchBackThatFailsIsReportedAsFailedNotAsDone() async throws {
        let switches = Mutex(0)
        let sick: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            switch c.phase {
            case .probe:
                return .success(CommandOutput(status: 0, stdout: Array(String(repeating: "refused 0 0 [Errno 111] Connection refused\n", count: 2).utf8)))
            case .switchRelease:
                let n = switches.withLock { n in n += 1; return n }
                return n == 1 ? FakeHost.healthy(c) : FakeHost.failed("@fail restart main (exit 1)", ["shop-main:shop-main-0: ERROR (spawn error)"])
            default:
                return FakeHost.healthy(c)
            }
        }
        let (deployer, _, src) = try Self.setup(["app1": sick])
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.exitCode == .unhealthy)
        let app1 = try #require(report.hosts.first { $0.host == "app1" })
        #expect(!app1.restarted.contains { $0.contains("back to") }, "\(app1.restarted)")
        #expect(app1.error == "could not be switched back to 000000000old: restart main (exit 1):\n  shop-main:shop-main-0: ERROR (spawn error)")
        #expect(report.failure?.contains("; app1 could not be switched back to 000000000old") == true, "\(report.failure ?? "")")
    }

    @Test func rollbackTargetsEachHostsPreviousReleaseWithoutBuilding() async throws {
        let (deployer, fakes, src) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .previous)
        #expect(report.ok && report.command == "rollback")
        #expect(fakes["app1"]!.phases == [.inspect, .switchRelease, .probe])
        #expect(String(decoding: fakes["app1"]!.commands[1].stdin, as: UTF8.self).contains("releases/00000000prev"))
    }

    @Test func aFailedInstallStopsBeforeAnyTrafficMoves() async throws {
        let broken: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            c.phase == .prepare
                ? .success(CommandOutput(status: 1, stdout: Array("@fail pip install -r requirements.txt (exit 1)\n| ERROR: No matching distribution found for nosuchpkg\n".utf8)))
                : FakeHost.healthy(c)
        }
        let (deployer, fakes, src) = try Self.setup(["app2": broken])
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.exitCode == .releaseFailed)
        #expect(report.failure?.hasSuffix("of main could not be prepared on app2; no traffic moved") == true)
        #expect(report.hosts.first { $0.host == "app2" }?.error == "pip install -r requirements.txt (exit 1):\n  ERROR: No matching distribution found for nosuchpkg")
        #expect(fakes["app1"]!.phases == [.inspect, .prepare] && fakes["web"]!.phases == [.inspect])
    }

    @Test func aBatchIsACountOrAShareAndAlwaysLeavesOneHostServing() {
        #expect(BatchSize("25%") == .percent(25) && BatchSize("3") == .hosts(3))
        for bad in ["0", "-1", "0%", "101%", "x", "%", "2.5"] { #expect(BatchSize(bad) == nil, "\(bad)") }
        // 28 hosts at 25%: 7 at a time, four batches; a share never rounds to nothing.
        #expect(BatchSize.percent(25).size(of: 28) == 7 && BatchSize.percent(25).size(of: 3) == 1)
        #expect(BatchSize.percent(100).size(of: 4) == 3 && BatchSize.hosts(9).size(of: 4) == 3, "one host always serves")
        #expect(BatchSize.hosts(2).size(of: 1) == 1)
    }

    /// `--batch 1,25%,100%`, as Ansible's serial list: one host first (a canary), then a quarter,
    /// then the rest (all but one at most), the last size repeating; each batch's drain puts the
    /// one before back, the last is put back alone.
    @Test func aListOfBatchSizesTakesEachInTurn() {
        let list = BatchSize("1,25%,100%")
        #expect(list == .list([.hosts(1), .percent(25), .percent(100)]) && list?.description == "1,25%,100%")
        for bad in ["1,", ",1", "1,0", "1,,2", "1,x%"] { #expect(BatchSize(bad) == nil, "\(bad)") }
        let hosts = (1...8).map { "app\($0)" }
        let plan = RollingPlan.rollout(pool: "main", moving: hosts, batch: list!, of: 8)
        #expect(plan.batches.map(\.hosts) == [["app1"], ["app2", "app3"], ["app4", "app5", "app6", "app7", "app8"]])
        #expect(plan.batches.map(\.returning) == [[], ["app1"], ["app2", "app3"]] && plan.batches.map(\.putBack) == [false, false, true])
        let repeating = RollingPlan.rollout(pool: "main", moving: hosts, batch: BatchSize("1,2")!, of: 8)
        #expect(repeating.batches.map(\.hosts.count) == [1, 2, 2, 2, 1], "the last size repeats")
    }

    @Test func batchesAndHostFiltersChooseWhatMoves() async throws {
        let (deployer, fakes, src) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        // Two hosts, batch 5: capped at one host so one always serves.
        #expect(await deployer.rollout(pool: "main", target: .newRelease, batch: .hosts(5)).ok)
        #expect(fakes["web"]!.phases.filter { $0 == .reloadMiddle }.count == 3, "two batches of one")
        let (only, onlyFakes, src2) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src2) }
        #expect(await only.rollout(pool: "main", target: .newRelease, hosts: ["app2"]).ok)
        #expect(!onlyFakes["app1"]!.phases.contains(.switchRelease) && onlyFakes["app2"]!.phases.contains(.switchRelease))
    }

    @Test func aPoolWithoutASourceHasNothingToRollOut() async throws {
        let (deployer, _, src) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "admin", target: .newRelease)
        #expect(report.exitCode == .usage && report.failure == "pool 'admin' has no 'source': there is no release to roll out")
    }
}
