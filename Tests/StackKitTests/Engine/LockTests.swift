import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// The deploy lock, the history and interrupts, with scripted hosts.
@Suite struct LockTests {
    static let me = RunIdentity(user: "ann", machine: "ws1", pid: 4242)

    static func deployer(_ respond: [String: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>] = [:]) throws -> (Deployer<ImmediateClock>, [String: FakeTransport]) {
        var (deployer, fakes) = try DeployerTests.deployer("full", respond)
        deployer.identity = me
        deployer.now = { Date(timeIntervalSince1970: 1_800_000_000) }
        return (deployer, fakes)
    }

    static func held(by holder: LockHolder) -> @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> {
        { c in c.phase == .inspect ? .success(CommandOutput(status: 0, stdout: Array("@held \(holder.json)\n".utf8))) : FakeHost.healthy(c) }
    }

    static func script(_ fake: FakeTransport, _ phase: HostPhase) -> String? {
        fake.commands.last { $0.phase == phase }.map { String(decoding: $0.stdin, as: UTF8.self) }
    }

    @Test func aLockHeldOnOneHostStopsTheRunBeforeAnythingAndLetsTheOthersGo() async throws {
        let bob = LockHolder(token: "t-bob", identity: RunIdentity(user: "bob", machine: "ws2", pid: 7), command: "rollout main", started: Date(timeIntervalSince1970: 1_799_999_000))
        let (deployer, fakes) = try Self.deployer(["app2": Self.held(by: bob)])
        var ran = false
        let report = await deployer.locked("up") { ran = true; return await $0.up() }
        #expect(ran && report.exitCode == .locked, "the run's first script found the lock held")
        #expect(report.failure == "the stack is locked by bob@ws2 (rollout main, pid 7, since 2027-01-15T07:43:20Z) on app2; nothing was changed ('stackctl lock status' shows it, 'stackctl lock release' breaks it)")
        #expect(fakes["app2"]!.phases == [.inspect])
        for (name, fake) in fakes where name != "app2" {
            #expect(fake.phases == [.inspect, .unlock], "\(name)")
            let unlock = try #require(Self.script(fake, .unlock))
            #expect(!unlock.contains("history.jsonl"), "a run that did nothing writes no history")
        }
    }

    @Test func downTakesTheLockInItsOwnRoundTripAndAHeldOneStopsEverything() async throws {
        let (deployer, fakes) = try Self.deployer()
        let report = await deployer.locked("down") { await $0.down() }
        #expect(report.ok, "\(report.failure ?? "")")
        for (name, fake) in fakes { #expect(fake.phases.first == .lock && fake.phases.last == .unlock && fake.phases.contains(.down), "\(name): \(fake.phases)") }

        let bob = LockHolder(token: "t-bob", identity: RunIdentity(user: "bob", machine: "ws2", pid: 7), command: "up", started: Date(timeIntervalSince1970: 1_799_999_000))
        let (held, heldFakes) = try Self.deployer(["app1": { c in c.phase == .lock ? .success(CommandOutput(status: 0, stdout: Array("@held \(bob.json)\n".utf8))) : FakeHost.healthy(c) }])
        let refused = await held.locked("down") { await $0.down() }
        #expect(refused.exitCode == .locked)
        #expect(heldFakes.values.allSatisfy { !$0.phases.contains(.down) }, "nothing stopped")
    }

    @Test func theLockIsTakenExclusivelyAndNamesItsHolder() throws {
        let holder = LockHolder(token: "tok", identity: Self.me, command: "up", started: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(holder.json == #"{"command":"up","machine":"ws1","pid":4242,"started":"2027-01-15T08:00:00Z","token":"tok","user":"ann"}"#)
        #expect(LockHolder.parse(holder.json) == holder)
        let text = Scripts.acquireLock(Topology(try Fixtures.manifest("full")), LockRequest(holder: holder)).text
        #expect(text.contains("if ( set -C; printf '%s\\n' '{\"command\":\"up\""))
        #expect(text.contains("> /srv/stackctl/shop/.stackctl.lock ) 2>/dev/null; then printf '@acquired\\n'"))
    }

    @Test func aLockLeftByADeadRunOfThisMachineIsTakenOverAndOnlyThat() async throws {
        // pid 0 is never a live process of ours; kill(0, 0) succeeds for the group, so use a dead pid.
        let dead = LockHolder(token: "t-dead", identity: RunIdentity(user: "ann", machine: "ws1", pid: Int32.max - 1), command: "up", started: Date())
        #expect(dead.isStale(on: "ws1", alive: LockHolder.processAlive))
        #expect(!dead.isStale(on: "ws9", alive: LockHolder.processAlive), "another machine's lock is never judged from here")
        let alive = LockHolder(token: "t-live", identity: RunIdentity(user: "ann", machine: "ws1", pid: getpid()), command: "up", started: Date())
        #expect(!alive.isStale(on: "ws1", alive: LockHolder.processAlive))

        let taken: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            let text = String(decoding: c.stdin, as: UTF8.self)
            if c.phase == .inspect { return .success(CommandOutput(status: 0, stdout: Array((text.contains("t-dead") ? "@acquired\n" : "@held \(dead.json)\n").utf8))) }
            return FakeHost.healthy(c)
        }
        let (deployer, fakes) = try Self.deployer(["app1": taken])
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fakes["app1"]!.phases.prefix(2) == [.inspect, .inspect])
        #expect(fakes["app1"]!.phases.last == .unlock)
    }

    @Test func eachChangedHostGetsTheRunsHistoryLine() async throws {
        let (deployer, fakes) = try Self.deployer()
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.ok)
        let unlock = try #require(Self.script(fakes["web"]!, .unlock))
        let line = try #require(unlock.split(separator: "\n").first { $0.contains("history.jsonl") })
        let start = try #require(line.range(of: "'{")), end = try #require(line.range(of: "}'", options: .backwards))
        let json = String(line[line.index(after: start.lowerBound)..<line.index(before: end.upperBound)])
        let entry = try #require(HistoryEntry.parse(json))
        #expect(entry.host == "web" && entry.operator == "ann@ws1" && entry.command == "up" && entry.outcome == "ok" && entry.time == "2027-01-15T08:00:00.000Z")
        #expect(entry.started == ["shop-admin:shop-admin-0", "shop-middle"] && !entry.files.isEmpty)
    }

    @Test func historyMergesRunsAcrossHosts() {
        func entry(_ run: String, _ time: String, _ host: String) -> HistoryEntry {
            var h = DeployReport.HostReport(host: host)
            h.started = ["x"]
            return HistoryEntry(run: run, time: time, host: h, operator: "ann@ws1", command: "up", report: DeployReport(stack: "s", command: "up", hosts: []))
        }
        let runs = HistoryEntry.merge([[entry("a", "2026-01-01T00:00:00Z", "h2"), entry("b", "2026-01-02T00:00:00Z", "h2")], [entry("a", "2026-01-01T00:00:00Z", "h1")]], last: 5)
        #expect(runs.map(\.run) == ["a", "b"] && runs[0].hosts.map(\.host) == ["h1", "h2"])
        #expect(HistoryEntry.merge([[entry("a", "1", "h"), entry("b", "2", "h"), entry("c", "3", "h")]], last: 2).map(\.run) == ["b", "c"])
        // Milliseconds order runs of one second, and lines of whole seconds come first in theirs.
        let ms = HistoryEntry.merge([[entry("z", "2026-01-01T00:00:00.900Z", "h"), entry("y", "2026-01-01T00:00:00.100Z", "h2")],
                                     [entry("x", "2026-01-01T00:00:00Z", "h3")]], last: 5)
        #expect(ms.map(\.run) == ["x", "y", "z"])
        // Runs of the same instant keep each host's order (its lines are appended as runs end), whatever their ids.
        let same = "2026-01-01T00:00:01Z"
        #expect(HistoryEntry.merge([[entry("q", same, "h"), entry("p", same, "h")], [entry("p", same, "h2")]], last: 1).map(\.run) == ["p"])
        #expect(HistoryEntry.merge([[entry("p", same, "h"), entry("q", same, "h")]], last: 1).map(\.run) == ["q"])
    }

    @Test func anInterruptBeforeActivationRemovesStagedFilesAndExits130() async throws {
        var (deployer, fakes) = try Self.deployer()
        let calls = Calls()
        // The signal arrives while staging: the first two safe points pass, the third stops.
        deployer.interruption = { calls.next() > 2 ? SIGINT : nil }
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.exitCode == .interrupted)
        #expect(report.failure == "stopped by SIGINT before activating (nothing went live)")
        #expect(fakes["web"]!.phases == [.inspect, .stage, .cleanup, .unlock])
        #expect(!fakes.values.contains { $0.phases.contains(.activate) })
    }

    @Test func aRolloutInterruptedStopsBetweenBatchesWithTheFirstHostBackInService() async throws {
        var (deployer, fakes, src) = try RolloutTests.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let calls = Calls()
        // Safe points: after inspect, before app1's batch, before app2's batch (the signal).
        deployer.interruption = { calls.next() > 2 ? SIGINT : nil }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.exitCode == .interrupted)
        #expect(report.failure == "stopped by SIGINT after main moved on app1 (each put back in service)")
        #expect(fakes["app1"]!.phases == [.inspect, .prepare, .switchRelease, .probe])
        #expect(fakes["app2"]!.phases == [.inspect, .prepare])
        #expect(fakes["web"]!.phases == [.inspect, .reloadMiddle, .reloadMiddle], "app1 drained, then put back")
    }

    @Test func sigtermBeforeAnyChangeExits143() async throws {
        var (deployer, fakes) = try Self.deployer()
        deployer.interruption = { SIGTERM }
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.exitCode == .terminated && report.exitCode.rawValue == 143)
        #expect(fakes["web"]!.phases == [.inspect, .unlock])
    }
}

/// Counts calls, from any thread.
final class Calls: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
}
