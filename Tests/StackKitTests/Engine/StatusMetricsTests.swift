import Foundation
import Testing
@testable import StackKit

/// `status --format prometheus`: the exposition format's rules, which promtool checks on the lab.
@Suite struct StatusMetricsTests {
    static func report() -> StatusReport {
        let worker = StatusReport.Instance(tier: .workers, host: "app1", name: "main/0", listen: "127.0.0.13:9000",
                                           process: .init(state: "running", pid: 42, uptimeSeconds: 90),
                                           health: .init(healthy: true, status: 200, latencyMs: 12, answer: "ok"),
                                           drift: "changed on host", driftFiles: ["x"], release: "a\"b\\c", healthy: true)
        var front = StatusReport.Instance(tier: .front, host: "front1", name: "apache2", listen: "127.0.0.11:443", process: nil, health: nil,
                                          drift: "unknown", driftFiles: [], release: nil, healthy: false)
        front.certificateDays = -2
        front.certificateExpires = 1_799_827_200.5
        var middle = StatusReport.Instance(tier: .middle, host: "app1", name: "nginx", listen: "127.0.0.13:8000",
                                           process: .init(state: "running", pid: 43, uptimeSeconds: 90), health: nil,
                                           drift: "in sync", driftFiles: [], release: nil, healthy: true)
        middle.restartPending = true
        return StatusReport(stack: "shop", state: .degraded, exitCode: .degraded, seconds: 0.4567,
                            hosts: [.init(host: "app1", reachable: true), .init(host: "front1", reachable: false)],
                            tiers: [.init(tier: .workers, state: .healthy, instances: [worker]), .init(tier: .middle, state: .degraded, instances: [middle]),
                                    .init(tier: .front, state: .down, instances: [front])])
    }

    @Test func everyFamilyOnceWithHelpTypeAndEscapedLabels() {
        let text = StatusMetrics(Self.report(), checkedAt: Date(timeIntervalSince1970: 1_800_000_000)).text
        let lines = text.split(separator: "\n").map(String.init)
        let types = lines.filter { $0.hasPrefix("# TYPE ") }
        #expect(Set(types).count == types.count, "each family once")
        #expect(lines.contains(#"stackctl_status_timestamp_seconds{stack="shop"} 1800000000"#))
        #expect(lines.contains(#"stackctl_status_duration_seconds{stack="shop"} 0.457"#))
        #expect(lines.contains(#"stackctl_stack_state{stack="shop",state="degraded"} 1"#))
        #expect(lines.contains(#"stackctl_stack_state{stack="shop",state="healthy"} 0"#))
        #expect(lines.contains(#"stackctl_host_reachable{stack="shop",host="front1"} 0"#))
        #expect(lines.contains(#"stackctl_instance_release_info{stack="shop",tier="workers",host="app1",instance="main/0",release="a\"b\\c"} 1"#))
        #expect(lines.contains(#"stackctl_instance_probe_latency_seconds{stack="shop",tier="workers",host="app1",instance="main/0"} 0.012"#))
        #expect(lines.contains(#"stackctl_instance_drift{stack="shop",tier="workers",host="app1",instance="main/0"} 1"#))
        #expect(!text.contains(#"stackctl_instance_drift{stack="shop",tier="front""#), "an unreachable host's drift is unknown, not 0")
        #expect(lines.contains(#"stackctl_instance_restart_pending{stack="shop",tier="middle",host="app1",instance="nginx"} 1"#))
        #expect(!text.contains(#"stackctl_instance_restart_pending{stack="shop",tier="workers""#), "a worker is never reloaded")
        #expect(lines.contains(#"stackctl_certificate_expiry_timestamp_seconds{stack="shop",tier="front",host="front1",instance="apache2"} 1799827200"#))
        #expect(lines.contains(#"stackctl_instance_up{stack="shop",tier="front",host="front1",instance="apache2"} 0"#))
        #expect(!text.contains("stackctl_rollout_paused"), "no family without samples")
        #expect(text.hasSuffix("\n"))
    }

    @Test func theTextfileIsWrittenWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let metrics = StatusMetrics(Self.report(), checkedAt: Date())
        let path = try metrics.write(toDirectory: dir.path)
        #expect(path.hasSuffix("/stackctl_shop.prom"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["stackctl_shop.prom"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == metrics.text)
        #expect(throws: MetricsFileError.self) { try metrics.write(toDirectory: dir.appendingPathComponent("missing").path) }
    }
}
