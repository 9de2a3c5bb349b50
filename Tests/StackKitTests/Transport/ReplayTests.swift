import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// Recording a run's replies and answering a larger fleet with them (the bench's simulation).
@Suite struct ReplayTests {
    static func host(_ replies: [Recording.Reply], rendered: [String: String] = [:]) -> Recording.RecordedHost {
        Recording.RecordedHost(name: "h3", address: "127.0.0.13", tiers: ["workers"], rendered: rendered, replies: replies)
    }

    @Test func repliesSpeakTheReplayedHostsNamesAndHashesWholeWordsOnly() async throws {
        let stdout = "@file aaa 644:root:root /srv/pool.json\n@file bbb 644:root:root /srv/other\nh3 h30 127.0.0.13:9000 127.0.0.130\n"
        let replay = ReplayTransport(hostName: "h41", address: "127.1.0.41", rendered: ["/srv/pool.json": "ccc"],
                                     prototype: Self.host([.init(label: "inspect", status: 0, stdout: stdout, stderr: "h3: warn")],
                                                          rendered: ["/srv/pool.json": "aaa", "/srv/other": "zzz"]))
        let out = try await replay.run(RemoteCommand(["sh", "-s"], label: "inspect"))
        // pool.json matched what h3 had rendered: it matches h41's; `other` differed and still does.
        #expect(out.stdoutText == "@file ccc 644:root:root /srv/pool.json\n@file bbb 644:root:root /srv/other\nh41 h30 127.1.0.41:9000 127.0.0.130\n")
        #expect(out.stderrText == "h41: warn")
    }

    @Test func eachLabelIsAnsweredInTurnThenItsLastAgainAndAnUnknownOneIsAnError() async throws {
        let replay = ReplayTransport(hostName: "h3", address: "127.0.0.13", rendered: [:], prototype: Self.host([
            .init(label: "probe", status: 0, stdout: "one", stderr: ""), .init(label: "stage", status: 1, stdout: "staged", stderr: ""),
            .init(label: "probe", status: 0, stdout: "two", stderr: ""),
        ]))
        var answers: [String] = []
        for _ in 0..<3 { answers.append(try await replay.run(RemoteCommand(["sh"], label: "probe")).stdoutText) }
        #expect(answers == ["one", "two", "two"])
        #expect(try await replay.run(RemoteCommand(["sh"], label: "stage")).status == 1)
        await #expect(throws: TransportError.cannotRun(host: "h3", command: "unlock", message: "the recording of h3 has no reply to 'unlock'")) {
            _ = try await replay.run(RemoteCommand(["sh"], label: "unlock"))
        }
    }

    @Test func aRecordedRunAnswersAFleetTwiceItsSizeAndTheRecordingSurvivesAFile() async throws {
        let manifest = try Fixtures.manifest("full")
        var fakes: [String: any Transport] = [:]
        for host in Topology(manifest).activeHosts { fakes[host.name] = FakeTransport(hostName: host.name, respond: FakeHost.healthy) }
        let recording = Connections(transports: fakes).recording()
        let recorded = await Deployer(manifest: manifest, connections: recording, parallel: 2, clock: ImmediateClock()).up()
        #expect(recorded.ok)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try recording.recording(of: manifest).save(file)
        let loaded = try Recording.load(file)
        #expect(loaded == recording.recording(of: manifest))
        #expect(loaded.hosts.first { $0.name == "app1" }?.replies.map(\.label) == ["inspect", "stage", "activate", "probe"])

        // Two more hosts of pool main: each replays a recorded host that runs what it runs.
        var larger = manifest
        for n in [31, 32] {
            larger.hosts.append(Host(name: "app\(n)", address: "127.0.1.\(n)"))
            larger.pools[larger.pools.firstIndex { $0.name == "main" }!].hosts.append("app\(n)")
        }
        let replayed = try Connections(replaying: loaded, manifest: larger)
        #expect(replayed.transports.count == 6)
        let report = await Deployer(manifest: larger, connections: replayed, parallel: 4, clock: ImmediateClock()).up()
        #expect(report.ok && report.exitCode == .ok)
        #expect(report.hosts.first { $0.host == "app32" }?.started == ["shop-main@0.service", "shop-main@1.service"])
    }

    @Test func aHostThatRunsWhatNoRecordedHostRanCannotBeReplayed() throws {
        let manifest = try Fixtures.manifest("full")
        let onlyWorkers = Recording(hosts: [Self.host([])])
        #expect(throws: ReplayError.noPrototype(host: "edge", tiers: ["front"])) {
            _ = try Connections(replaying: onlyWorkers, manifest: manifest)
        }
        #expect(ReplayError.noPrototype(host: "edge", tiers: ["front"]).description == "edge: the recording has no host that runs front to answer for it")
    }
}
