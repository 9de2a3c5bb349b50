import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// `--lock-wait`: a run that finds the lock held waits for it to go, saying who holds it,
/// with nothing taken meanwhile; past its time it fails as a run without the wait does.
@Suite struct LockWaitTests {
    final class Tries: Sendable {
        let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
    }

    final class Said: Sendable {
        let lines = Mutex<[String]>([])
    }

    static let bob = LockHolder(token: "t-bob", identity: RunIdentity(user: "bob", machine: "ws2", pid: 7), command: "up",
                                started: Date(timeIntervalSince1970: 1_799_999_000))

    /// app2's lock is bob's for its first `heldFor` asks.
    static func deployer(heldFor: Int, wait: Duration?) throws -> (Deployer<ImmediateClock>, [String: FakeTransport], Said) {
        let manifest = try Fixtures.manifest("full")
        let tries = Tries(), said = Said()
        var fakes: [String: FakeTransport] = [:]
        for host in Topology(manifest).activeHosts {
            fakes[host.name] = FakeTransport(hostName: host.name) { c in
                if host.name == "app2", c.phase == .inspect, tries.next() <= heldFor {
                    return .success(CommandOutput(status: 0, stdout: Array("@held \(Self.bob.json)\n".utf8)))
                }
                return FakeHost.healthy(c)
            }
        }
        var deployer = Deployer(manifest: manifest, connections: Connections(transports: fakes), parallel: 2, clock: ImmediateClock()) { e in
            said.lines.withLock { $0.append(e.text) }
        }
        deployer.identity = LockTests.me
        deployer.now = { Date(timeIntervalSince1970: 1_800_000_000) }
        deployer.lockWait = wait
        return (deployer, fakes, said)
    }

    @Test func aRunWaitsForTheHolderToGoSayingOnceWhoItIs() async throws {
        let (deployer, fakes, said) = try Self.deployer(heldFor: 3, wait: .seconds(60))
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.ok, "\(report.failure ?? "")")
        let waiting = said.lines.withLock { $0 }.filter { $0.hasPrefix("waiting for the lock") }
        #expect(waiting == ["waiting for the lock (up to 60 s): held by bob@ws2 (up, pid 7, since 2027-01-15T07:43:20Z) on app2"])
        // Each try's hosts taken are let go before the next: two waiting runs never deadlock.
        #expect(fakes["app1"]!.phases.prefix(6) == [.inspect, .unlock, .inspect, .unlock, .inspect, .unlock])
        #expect(fakes["app2"]!.phases.filter { $0 == .inspect }.count == 4)
        #expect(fakes["app2"]!.phases.contains(.activate), "then it deploys")
    }

    @Test func aSignalEndsTheWait() async throws {
        var (deployer, _, _) = try Self.deployer(heldFor: 1000, wait: .seconds(600))
        deployer.interruption = { SIGINT }
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.exitCode == .interrupted)
        #expect(report.failure == "stopped by SIGINT while waiting for the lock, held by bob@ws2 (up, pid 7, since 2027-01-15T07:43:20Z)")
    }

    @Test func pastItsWaitItFailsAsWithoutOne() async throws {
        let (deployer, fakes, _) = try Self.deployer(heldFor: 1000, wait: .seconds(5))
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.exitCode == .locked)
        #expect(report.failure?.hasPrefix("the stack is locked by bob@ws2 (up, pid 7, since 2027-01-15T07:43:20Z) on app2; waited 5 s; nothing was changed") == true,
                "\(report.failure ?? "")")
        #expect(fakes.values.allSatisfy { !$0.phases.contains(.stage) }, "nothing changed")
        let (once, onceFakes, _) = try Self.deployer(heldFor: 1000, wait: nil)
        #expect(await once.locked("up") { await $0.up() }.exitCode == .locked)
        #expect(onceFakes["app2"]!.phases == [.inspect], "without --lock-wait: one try")
    }
}
