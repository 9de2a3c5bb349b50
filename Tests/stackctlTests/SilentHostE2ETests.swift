import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// A host that vanishes without a word (its packets dropped for 22 s) under steady load
    /// through the front: every hop waits a bounded time for a connection, passes the request
    /// on, leaves the host out, and takes it back after its `retry`. Network faults do not depend
    /// on the process manager, so these run on the plain hosts only.
    @Suite(.needsLab) struct SilentHostE2ETests {
        /// The load keeps 4 requests in flight: a silent host can hold no more than that.
        static let inFlight = 4

        /// `status` while a host is silent: the host is named unreachable by ssh's own connect
        /// timeout (not by a command that ran out of time), and the tiers above it answer.
        static func statusNamesTheSilentHost(_ manifest: String, host: String, answering tier: String) throws {
            let (status, report, text) = try StatusE2ETests.status(manifest, ["--connect-timeout", "3"])
            #expect(status == 3, "\(text)")
            let entry = report.host(host)
            #expect(entry?.reachable == false && (entry?.error ?? "").contains("Connection timed out"), "\(String(describing: entry))")
            let answering = report.instances.filter { $0.tier.rawValue == tier && $0.host != host }
            #expect(!answering.isEmpty && answering.allSatisfy(\.healthy), "\(answering)")
            print("status with \(host) silent: \(report.seconds) s (--connect-timeout 3)")
        }

        /// Fewer failures than the host held in flight, at least half the throughput, and the
        /// host back within the documented time.
        static func expectRideThrough(_ run: SilencedLoad, label: String) {
            let before = run.okRate(from: 1, to: run.silencedAt), during = run.okRate(from: run.silencedAt, to: run.liftedAt)
            print("\(label): \(run.counts["ok"] ?? 0) ok, \(run.failed) failed; \(Int(before))/s before, \(Int(during))/s silent (\(Int(100 * during / max(before, 1)))%)")
            #expect(run.failed <= inFlight, "\(label): \(run.failed) failed: \(run.counts["samples"] ?? [])")
            let perSecond = run.seconds(from: 0, to: run.liftedAt + 1).map { run.timeline[$0]["ok"] as? Int ?? 0 }
            #expect(before > 50 && during >= 0.5 * before,
                    "\(label): \(during)/s while silent (from \(run.silencedAt) s to \(run.liftedAt) s), \(before)/s before; per second: \(perSecond)")
            #expect(Silence.remaining() == 0, "the test's rule is gone")
        }

        @Test(arguments: ["lighttpd", "nginx"])
        func aSilentWorkerHostCostsAtMostItsInFlightRequests(server: String) throws {
            try LabE2ETests.withStack(server: server, kind: .plain) { dir, manifest in
                try LabE2ETests.expectUp(manifest)
                let report = try StatusE2ETests.status(manifest).report
                let pids = Set(report.instances.filter { $0.host == "app1" }.compactMap { $0.process?.pid.map(String.init) })
                #expect(pids.count == 2, "\(pids)")
                // Documented: back within retry (20) + connect_timeout (2) + 2 s.
                let back = 24.0
                let run = try SilencedLoad.run(LabKind.plain.address(3), front: LabKind.plain.front, dir: dir, back: back, during: {
                    try Self.statusNamesTheSilentHost(manifest, host: "app1", answering: "middle")
                })
                Self.expectRideThrough(run, label: "\(server), app1 silent")
                #expect(run.answers(by: pids, inside: run.silencedAt + 1, run.liftedAt) == 0, "app1 really was silent")
                print("\(server): app1 answered again \(run.returnedAfter(pids).map { String(format: "%.1f", $0) } ?? "never") s after its packets flowed (documented: within \(back) s)")
                let returned = run.answers(by: pids, from: run.liftedAt, to: run.liftedAt + back)
                #expect(returned > 50, "\(server): app1 answered \(returned) requests in the \(back) s after its packets flowed again")
            }
        }

        @Test func aSilentMiddleHostIsSkippedByTheFront() throws {
            // nginx: it writes each access log line as the request ends (lighttpd buffers them).
            try LabE2ETests.withStack(server: "nginx", kind: .plain) { dir, _ in
                // Two middle hosts: lab2 and lab6.
                let manifest = try LabE2ETests.manifest(server: "nginx", kind: .plain, in: dir) {
                    try $0.set("hosts.middle2", .map(["address": "127.0.0.16"]))
                    try $0.append("middle.hosts", "middle2")
                }
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
                try LabE2ETests.expectUp(manifest)
                // middle1's access log, in lines: what reached it.
                let log = "\(LabKind.plain.dir)2/srv/stackctl/shop/log/nginx-access.log"
                // Counted by wc: it is sampled every quarter second after the lift, and the log grows
                // by megabytes under the load.
                let lines = { Int(((try? CLITests.capture(["/usr/bin/wc", "-l", log]))?.stdout ?? "").split(separator: " ").first ?? "") ?? 0 }
                // Documented: back within retry (10) + connect_timeout (2) + 2 s.
                let back = 14.0
                let run = try SilencedLoad.run(LabKind.plain.address(2), front: LabKind.plain.front, dir: dir, back: back, sample: lines, during: {
                    try Self.statusNamesTheSilentHost(manifest, host: "middle1", answering: "front")
                })
                Self.expectRideThrough(run, label: "front, middle1 silent")
                #expect(run.samples.count == 3)
                #expect(run.samples[1] - run.samples[0] <= Self.inFlight, "middle1 really was silent: \(run.samples)")
                print("front: middle1 served again \(run.sampleReturnedAfter.map { String(format: "%.2f", $0) } ?? "never") s after its packets flowed (documented: within \(back) s)")
                #expect(run.samples[2] - run.samples[1] > 50, "middle1 back within \(back) s: \(run.samples)")
            }
        }
    }
}
