import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// `rollout --pause`, `--continue` and `rollback` of a pause, with scripted hosts: the pause
/// is a lock that outlives its run, and only those two take it over.
@Suite struct PauseTests {
    static let paused = PausedRollout(pool: "main", release: "0000000000new", moved: ["app1"], batch: "1")
    static var holder: LockHolder {
        var h = LockHolder(token: "t-pause", identity: RunIdentity(user: "bob", machine: "ws2", pid: 7), command: "rollout main --pause",
                           started: Date(timeIntervalSince1970: 1_800_000_000))
        h.paused = paused
        return h
    }

    /// Hosts whose lock is `held` (until a run takes it over by its token), app1 on the new
    /// release and app2 on the old.
    static func setup(held: LockHolder?, respond: [String: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>] = [:]) throws
        -> (Deployer<ImmediateClock>, [String: FakeTransport], URL) {
        try RolloutTests.setup(respond, inspect: { host, script in
            var out = ""
            if let held, !script.contains("*t-pause*) true") { out += "@held \(held.json)\n" } else { out += "@acquired\n" }
            let release = host == "app1" ? "0000000000new" : "000000000old"
            let previous = host == "app1" ? "000000000old" : "00000000prev"
            if host.hasPrefix("app") { out += "@release main \(release)\n@previous main \(previous)\n" }
            return out + "@manager up\n"
        })
    }

    @Test func thePolicyLeavesTheRestOfAList() {
        #expect(RolloutPause.rest(of: .list([.hosts(1), .percent(25), .percent(100)])) == .list([.percent(25), .percent(100)]))
        #expect(RolloutPause.rest(of: .list([.hosts(1), .percent(100)])) == .percent(100))
        #expect(RolloutPause.rest(of: .hosts(2)) == .hosts(2))
    }

    @Test func aPausedLockIsNeverStaleAndSaysWhatToDo() throws {
        var mine = Self.holder
        mine.machine = "ws1"
        mine.pid = Int32.max - 1
        #expect(!mine.isStale(on: "ws1", alive: { _ in false }), "a pause is left on purpose")
        #expect(Self.holder.summary == "a paused rollout (pool main at release 0000000000new on app1) by bob@ws2 (rollout main --pause, since 2027-01-15T08:00:00Z)")
        #expect(LockHolder.parse(Self.holder.json) == Self.holder)
        let keep = Scripts.releaseLock(Topology(try Fixtures.manifest("full")), token: "t-pause", history: nil, keep: Self.holder).code.text
        #expect(keep.contains(#""paused":{"batch":"1","moved":["app1"],"pool":"main","release":"0000000000new"}"#))
        #expect(keep.contains("> /srv/stackctl/shop/.stackctl.lock.new && mv -f") && !keep.contains("rm -f"))
    }

    @Test func pauseStopsAfterTheFirstBatchBackInServiceAndKeepsTheLock() async throws {
        let (deployer, fakes, src) = try Self.setup(held: nil)
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.locked("rollout main --pause") {
            await $0.rollout(pool: "main", target: .newRelease, batch: .list([.hosts(1), .percent(100)]), pause: .afterFirstBatch)
        }
        #expect(report.ok, "\(report.failure ?? "")")
        let paused = try #require(report.paused)
        #expect(paused.moved == ["app1"] && paused.pool == "main" && paused.batch == "100%")
        #expect(fakes["app1"]!.phases.contains(.switchRelease) && !fakes["app2"]!.phases.contains(.switchRelease), "only the canary moved")
        #expect(fakes["web"]!.phases == [.inspect, .reloadMiddle, .reloadMiddle, .unlock], "drained, then put back")
        for (name, fake) in fakes {
            let unlock = try #require(LockTests.script(fake, .unlock), "\(name)")
            #expect(unlock.contains(#""paused":{"#) && !unlock.contains("rm -f"), "\(name) keeps the lock, paused")
        }
    }

    @Test func otherRunsAreRefusedWithWhatToDo() async throws {
        let (deployer, _, src) = try Self.setup(held: Self.holder)
        defer { try? FileManager.default.removeItem(at: src) }
        let up = await deployer.locked("up") { await $0.up() }
        #expect(up.exitCode == .locked)
        #expect(up.failure?.contains("locked by a paused rollout (pool main at release 0000000000new on app1)") == true)
        #expect(up.failure?.hasSuffix("('stackctl rollout --continue' promotes it, 'stackctl rollback' ends it)") == true, "\(up.failure ?? "")")
        var waiting = deployer
        waiting.lockWait = .seconds(60)
        #expect(await waiting.locked("up") { await $0.up() }.exitCode == .locked, "no waiting for a person")
    }

    @Test func continueTakesThePauseOverAndMovesTheRestToItsRelease() async throws {
        var (deployer, fakes, src) = try Self.setup(held: Self.holder)
        defer { try? FileManager.default.removeItem(at: src) }
        deployer.resumesPause = true
        let report = await deployer.locked("rollout --continue") { await $0.rollout(pool: nil, target: .newRelease, pause: .resume) }
        #expect(report.ok && report.paused == nil, "\(report.failure ?? "")")
        #expect(!fakes["app1"]!.phases.contains(.switchRelease), "the canary is already there")
        #expect(!fakes["app2"]!.phases.contains(.prepare), "nothing is built again")
        let switched = try #require(LockTests.script(fakes["app2"]!, .switchRelease))
        #expect(switched.contains("0000000000new"), "app2 gets the paused release")
        #expect(LockTests.script(fakes["app2"]!, .unlock)?.contains("rm -f") == true, "the lock goes")
    }

    @Test func rollbackOfAPauseMovesOnlyTheCanaryBack() async throws {
        var (deployer, fakes, src) = try Self.setup(held: Self.holder)
        defer { try? FileManager.default.removeItem(at: src) }
        deployer.resumesPause = true
        let report = await deployer.locked("rollback") { await $0.rollout(pool: nil, target: .previous) }
        #expect(report.ok, "\(report.failure ?? "")")
        let back = try #require(LockTests.script(fakes["app1"]!, .switchRelease))
        #expect(back.contains("000000000old"))
        #expect(!fakes["app2"]!.phases.contains(.switchRelease), "app2 never moved")
    }

    @Test func aResumeThatFailsLeavesThePausedRolloutPaused() async throws {
        // Refused before anything changed: the pause is put back as it was.
        var ofAdmin = Self.holder
        ofAdmin.paused?.pool = "admin"
        var (deployer, fakes, src) = try Self.setup(held: ofAdmin)
        defer { try? FileManager.default.removeItem(at: src) }
        deployer.resumesPause = true
        let wrong = await deployer.locked("rollback main") { await $0.rollout(pool: "main", target: .previous) }
        #expect(wrong.exitCode == .usage && wrong.paused == nil)
        #expect(wrong.failure?.hasPrefix("the paused rollout is of pool admin, not main") == true, "\(wrong.failure ?? "")")
        #expect(LockTests.script(fakes["app1"]!, .unlock)?.contains(ofAdmin.json) == true, "the pause stands")

        // app2 fails its gate on --continue: it goes back, and the rollout stays paused on app1.
        let failing: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            switch c.phase {
            case .switchRelease:
                .success(CommandOutput(status: 0, stdout: Array("@switched 000000000old 0000000000new\n\(FakeHost.probesLine(c, fastcgiStatus: 500))".utf8)))
            case .probe: .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers(c, fastcgiStatus: 500)))
            default: FakeHost.healthy(c)
            }
        }
        var (again, againFakes, src2) = try Self.setup(held: Self.holder, respond: ["app2": failing])
        defer { try? FileManager.default.removeItem(at: src2) }
        again.resumesPause = true
        let report = await again.locked("rollout --continue") { await $0.rollout(pool: nil, target: .newRelease, pause: .resume) }
        #expect(report.exitCode == .unhealthy)
        #expect(report.paused == PausedRollout(pool: "main", release: "0000000000new", moved: ["app1"], batch: "1"), "\(String(describing: report.paused))")
        #expect(LockTests.script(againFakes["app2"]!, .unlock)?.contains(#""paused":{"#) == true)
    }

    @Test func continueWithNothingPausedChangesNothing() async throws {
        var (deployer, fakes, src) = try Self.setup(held: nil)
        defer { try? FileManager.default.removeItem(at: src) }
        deployer.resumesPause = true
        let report = await deployer.locked("rollout --continue") { await $0.rollout(pool: nil, target: .newRelease, pause: .resume) }
        #expect(report.exitCode == .usage && report.failure == "no rollout is paused: there is nothing to continue")
        #expect(fakes.values.allSatisfy { !$0.phases.contains(.switchRelease) && !$0.phases.contains(.prepare) })
    }

    @Test func canaryTrafficIsCountedPerHostFromEveryMiddle() throws {
        let t = Topology(try Fixtures.manifest("full"))
        let paused = PausedRollout(pool: "main", release: "r2", moved: ["app1"])
        let workers = t.workers(of: t.manifest.pool(named: "main")!)
        let nginx = Dictionary(uniqueKeysWithValues: workers.map { ($0.upstreamAddress, $0.host == "app1" ? 10 : 20) })
        let counted = try #require(CanaryTraffic.count(paused, served: [nginx, nginx], topology: t))
        let perHost = workers.filter { $0.host == "app1" }.count
        #expect(counted.hosts.map(\.host) == ["app1", "app2"] && counted.hosts.map(\.canary) == [true, false])
        #expect(counted.hosts[0].requests == 2 * 10 * perHost, "both middles, every instance")
        #expect(counted.summary.hasPrefix("app1 (canary) \(20 * perHost) of \(counted.total) ("), "\(counted.summary)")
    }
}
