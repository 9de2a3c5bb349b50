import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// Where a run spent its time: each host's seconds per phase, and each phase's wall time.
@Suite struct TimingTests {
    @Test func eachHostsPhasesAndEachPhasesWallTimeAreReported() async throws {
        let manifest = try Fixtures.manifest("full")
        let clock = ImmediateClock()
        var fakes: [String: FakeTransport] = [:]
        for host in Topology(manifest).activeHosts {
            fakes[host.name] = FakeTransport(hostName: host.name) { command in
                // app2 stages in 1.5 s and every host inspects in 0.25 s; nothing else takes time.
                if command.phase == .stage && host.name == "app2" { clock.advance(by: .milliseconds(1500)) }
                if command.phase == .inspect { clock.advance(by: .milliseconds(250)) }
                return FakeHost.healthy(command)
            }
        }
        // One host at a time: each host's time is its own.
        let report = await Deployer(manifest: manifest, connections: Connections(transports: fakes), parallel: 1, clock: clock).up()
        #expect(report.ok)
        let app2 = try #require(report.hosts.first { $0.host == "app2" })
        #expect(app2.timings["stage"] == 1.5 && app2.timings["inspect"] == 0.25 && app2.timings["activate"] == 0)
        #expect(app2.timings["gate"] != nil, "the health gate is timed too")
        let hosts = Double(fakes.count)
        #expect(report.phases.first == DeployReport.PhaseTiming(phase: "inspect", seconds: 0.25 * hosts))
        #expect(report.phases.map(\.phase).filter { $0 == "stage" } == ["stage"])
        #expect(report.phases.first { $0.phase == "stage" }?.seconds == 1.5)
        #expect(report.phases.filter { $0.phase == "activate" }.count == 3, "once per tier")

        // In the JSON, to the millisecond, under each host and in run order.
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        let phases = try #require(json["phases"] as? [[String: Any]])
        #expect(phases.first?["phase"] as? String == "inspect" && phases.first?["seconds"] as? Double == 0.25 * hosts)
        let hostTimings = (json["hosts"] as? [[String: Any]])?.first { $0["host"] as? String == "app2" }?["timings"] as? [String: Double]
        #expect(hostTimings?["stage"] == 1.5)
    }

    @Test func theLocksRoundTripsCountInTheRun() async throws {
        let manifest = try Fixtures.manifest("small")
        var fakes: [String: FakeTransport] = [:]
        for host in Topology(manifest).activeHosts { fakes[host.name] = FakeTransport(hostName: host.name, respond: FakeHost.healthy) }
        let deployer = Deployer(manifest: manifest, connections: Connections(transports: fakes), clock: ImmediateClock())
        let report = await deployer.locked("up") { await $0.up() }
        #expect(report.ok)
        // The lock is taken by the inspect: no round trip of its own.
        #expect(report.phases.first?.phase == "inspect" && report.phases.last?.phase == "unlock", "\(report.phases.map(\.phase))")
        #expect(report.hosts.allSatisfy { $0.timings["lock"] == nil && $0.timings["inspect"] != nil && $0.timings["unlock"] != nil })
    }
}
