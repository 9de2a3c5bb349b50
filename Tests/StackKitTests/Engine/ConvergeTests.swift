import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// `up` with nothing changed repairs what runs but fails, gives up as soon as a restarted
/// program has exited, and lets the middle and front go ahead past a pool that was broken before.
@Suite struct ConvergeTests {
    typealias Respond = @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>

    static let manifest = try! Fixtures.manifest("full")
    static let plans = Dictionary(uniqueKeysWithValues: HostPlan.all(manifest).map { ($0.host.name, $0) })

    /// The inspect answer of a host where everything is deployed and running, but for `changed` files.
    static func deployed(_ host: String, changed: Set<String> = []) -> String {
        let plan = plans[host]!
        var lines = plan.files.filter { !changed.contains($0.path) && !$0.file.needsSystemdInit }.map { "@file \($0.sha256) \($0.ownership) \($0.path)" }
        lines += plan.directories.map { "@dir \(String($0.mode, radix: 8)):\($0.owner):\($0.group) \($0.path)" }
        lines.append("@manager up")
        lines += plan.programs.map { "@running \(ServiceControl.name($0, plan))" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every program of the host in `state`, as the status and states scripts print it.
    static func procs(_ host: String, _ state: String) -> String {
        let plan = plans[host]!
        return plan.programs.map { "@proc \(ServiceControl.name($0, plan)) \(state) 0 0\n" }.joined()
    }

    static func answer(_ text: String) -> Result<CommandOutput, TransportError> { .success(CommandOutput(status: 0, stdout: Array(text.utf8))) }

    /// A host already deployed; its workers answer 500 (`sick`) and its programs have `state`.
    static func host(_ name: String, changed: Set<String> = [], sick: @escaping @Sendable () -> Bool = { false }, state: String = "running") -> Respond {
        { c in
            switch c.phase {
            case .inspect: answer(deployed(name, changed: changed))
            case .status, .states: answer(procs(name, state))
            case .probe: .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers(c, fastcgiStatus: sick() ? 500 : 200, stderr: sick() ? "OperationalError: no db" : "")))
            default: FakeHost.healthy(c)
            }
        }
    }

    static func deployer(_ respond: [String: Respond]) -> (Deployer<ImmediateClock>, [String: FakeTransport]) {
        var fakes: [String: FakeTransport] = [:]
        for name in plans.keys { fakes[name] = FakeTransport(hostName: name, respond: respond[name] ?? host(name)) }
        return (Deployer(manifest: manifest, connections: Connections(transports: fakes), parallel: 4, clock: ImmediateClock()), fakes)
    }

    @Test func aNoOpUpChecksEveryTierInOneRoundTripPerHost() async {
        let (deployer, fakes) = Self.deployer([:])
        let report = await deployer.up()
        #expect(report.ok && report.exitCode == .ok && report.hosts.allSatisfy(\.unchanged))
        for (name, fake) in fakes { #expect(fake.phases == [.inspect, .probe], "\(name)") }
    }

    /// The inspect answer of a deployed host whose relay also answered every tier's probes
    /// (its workers with FastCGI `status`), as the inspect script prints them.
    static func deployedAndProbed(_ host: String, status: Int = 200, milliseconds: Int = 1) -> String {
        let plan = plans[host]!
        let exchanges = Deployer<ImmediateClock>.probes(Tier.allCases, plan, Topology(manifest)).map(\.exchange)
        let relay = RemoteCommand(["relay"], stdin: Relay.encode(exchanges), phase: .probe)
        return deployed(host) + "@probes \(Data(FakeHost.relayAnswers(relay, fastcgiStatus: status, milliseconds: milliseconds)).base64EncodedString())\n"
    }

    @Test func aNoOpUpTakesItsHealthCheckFromTheInspectsOwnProbes() async throws {
        let (deployer, fakes) = Self.deployer(Dictionary(uniqueKeysWithValues: Self.plans.keys.map { name in
            (name, { c in c.phase == .inspect ? Self.answer(Self.deployedAndProbed(name)) : Self.host(name)(c) } as Respond)
        }))
        let report = await deployer.up()
        #expect(report.ok && report.exitCode == .ok && report.hosts.allSatisfy(\.unchanged))
        for (name, fake) in fakes { #expect(fake.phases == [.inspect], "\(name): one round trip") }
        #expect(report.tiers.map(\.tier) == Tier.allCases && report.tiers.allSatisfy(\.healthy))
        #expect(report.tiers.flatMap(\.probes).count == Self.plans.values.map { Deployer<ImmediateClock>.probes(Tier.allCases, $0, Topology(Self.manifest)).count }.reduce(0, +))
        // The script asks them through the relay, with its exchanges as an argument, when every program runs.
        let script = try #require(fakes["app1"]!.commands.first.map { String(decoding: $0.stdin, as: UTF8.self) })
        #expect(script.contains("stackctl_all_running && /usr/bin/python3 -I -S -c "))
        #expect(!Scripts.inspect(Self.plans["app1"]!).text.contains(" -I -S -c "), "asked only with probes")
    }

    /// The inspect's own answers of app1 held up (1.5 s, over the 1 s threshold): asked once
    /// more, they answer in time, and the no-op is healthy, not degraded; slow twice, it is.
    @Test(arguments: [(20, StackKit.ExitStatus.ok), (1200, StackKit.ExitStatus.degraded)])
    func aNoOpWhoseInspectAnswersWereSlowAsksThemAgain(again: Int, exit: StackKit.ExitStatus) async throws {
        let (deployer, fakes) = Self.deployer(Dictionary(uniqueKeysWithValues: Self.plans.keys.map { name in
            (name, { c in
                if name == "app1", c.phase == .inspect { return Self.answer(Self.deployedAndProbed(name, milliseconds: 1500)) }
                if name == "app1", c.phase == .probe {
                    return .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers(c, fastcgiStatus: 200, milliseconds: again)))
                }
                return c.phase == .inspect ? Self.answer(Self.deployedAndProbed(name)) : Self.host(name)(c)
            } as Respond)
        }))
        let report = await deployer.up()
        #expect(report.exitCode == exit, "\(report.warning ?? "")")
        #expect(fakes["app1"]!.phases == [.inspect, .probe], "the slow answers asked once more")
        #expect(fakes["app2"]!.phases == [.inspect])
        #expect(report.hosts.first { $0.host == "app1" }?.slow.isEmpty == (exit == .ok))
    }

    /// A restart an earlier run's reload left pending (the front's unit changed) is said by every
    /// later `up` that finds the same process running (degraded, exit 8), with the command that
    /// applies it; a run that starts the front afresh does not say it.
    @Test(arguments: [true, false])
    func aRestartAnEarlierReloadLeftPendingIsSaidUntilTheServerStartsAfresh(frontRunning: Bool) async throws {
        let plan = try #require(Self.plans["edge"])
        let front = ServiceControl.name(try #require(plan.programs.first { $0.tier == .front }), plan)
        let (deployer, _) = Self.deployer(Dictionary(uniqueKeysWithValues: Self.plans.keys.map { name in
            (name, { c in
                guard c.phase == .inspect else { return Self.host(name)(c) }
                guard name == "edge" else { return Self.answer(Self.deployedAndProbed(name)) }
                var inspect = Self.deployedAndProbed(name) + "@pending \(front) unit\n"
                if !frontRunning { inspect = inspect.replacingOccurrences(of: "@running \(front)\n", with: "") }
                return Self.answer(inspect)
            } as Respond)
        }))
        let report = await deployer.up()
        if frontRunning {
            #expect(report.exitCode == .degraded && report.hosts.allSatisfy(\.unchanged))
            #expect(report.warning == "edge: " + PendingRestart(program: front, cause: .unit).message(.front))
        } else {
            #expect(report.exitCode == .ok && report.warning == nil, "\(report.warning ?? "")")
            #expect(report.hosts.first { $0.host == "edge" }?.started == [front])
        }
    }

    /// A first up: each tier's activation asks its probes once its programs are up; a host
    /// whose answers are healthy has no gate round trip, one with a failing answer is asked again.
    @Test func eachActivationAsksItsTiersProbesAndOnlyAFailingHostIsAskedAgain() async throws {
        var fakes: [String: FakeTransport] = [:]
        for name in Self.plans.keys {
            fakes[name] = FakeTransport(hostName: name) { c in
                guard c.phase == .activate else { return FakeHost.healthy(c) }
                return Self.answer(FakeHost.probesLine(c, fastcgiStatus: name == "app2" ? 503 : 200) + "@activated\n")
            }
        }
        let report = await Deployer(manifest: Self.manifest, connections: Connections(transports: fakes), clock: ImmediateClock()).up()
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fakes["app1"]!.phases == [.inspect, .stage, .activate], "answered healthy by its own activation")
        #expect(fakes["app2"]!.phases == [.inspect, .stage, .activate, .probe], "asked again by the gate")
        let script = String(decoding: try #require(fakes["app1"]!.commands.first { $0.phase == .activate }).stdin, as: UTF8.self)
        let relay = try #require(script.range(of: " -I -S -c ")), activated = try #require(script.range(of: "printf '@activated\\n'"))
        #expect(activated.lowerBound < relay.lowerBound, "asked after the end marker, so a signal may leave the answers")
        #expect(report.tiers.map(\.tier) == Tier.allCases && report.tiers.allSatisfy(\.healthy))
    }

    @Test func answersAheadThatAreNotAllHealthyLeaveTheGateToRepair() async {
        let restarted = Mutex(false)
        let app1 = Self.host("app1", sick: { !restarted.withLock { $0 } })
        var respond = Dictionary(uniqueKeysWithValues: Self.plans.keys.map { name in
            (name, { c in c.phase == .inspect ? Self.answer(Self.deployedAndProbed(name)) : Self.host(name)(c) } as Respond)
        })
        respond["app1"] = { c in
            if c.phase == .activate { restarted.withLock { $0 = true } }
            return c.phase == .inspect ? Self.answer(Self.deployedAndProbed("app1", status: 500)) : app1(c)
        }
        let (deployer, fakes) = Self.deployer(respond)
        let report = await deployer.up()
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fakes["app1"]!.phases == [.inspect, .probe, .activate, .probe], "the tier's gate probes again and repairs")
        #expect(report.hosts.first { $0.host == "app1" }?.repaired.count == 2)
        #expect(fakes["web"]!.phases == [.inspect, .probe, .probe], "the middle and front gates, after the workers'")
    }

    @Test func aWorkerThatFailsWithNothingChangedIsRestartedOnceAndSaysSo() async {
        let restarted = Mutex(false)
        let app1 = Self.host("app1", sick: { !restarted.withLock { $0 } })
        let (deployer, fakes) = Self.deployer(["app1": { c in
            if c.phase == .activate { restarted.withLock { $0 = true } }
            return app1(c)
        }])
        let report = await deployer.up()
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fakes["app1"]!.phases == [.inspect, .probe, .probe, .activate, .probe])
        let script = String(decoding: fakes["app1"]!.commands[3].stdin, as: UTF8.self)
        #expect(script.contains("systemctl restart --no-block shop-main@0.service shop-main@1.service"))
        let r = report.hosts.first { $0.host == "app1" }!
        #expect(r.repaired == ["shop-main@0.service: it failed its probe (500 ok)", "shop-main@1.service: it failed its probe (500 ok)"])
        #expect(!r.unchanged && r.restarted.count == 2)
        #expect(fakes["web"]!.phases == [.inspect, .probe, .probe, .probe], "everything else probed, nothing restarted")
    }

    @Test func aStoppedWorkerIsStartedAndCountedAsARepair() async {
        let plan = Self.plans["app2"]!
        let stopped = ServiceControl.name(plan.programs[0], plan)
        let app2 = Self.host("app2")
        let (deployer, fakes) = Self.deployer(["app2": { c in
            c.phase == .inspect ? Self.answer(Self.deployed("app2").replacingOccurrences(of: "@running \(stopped)\n", with: "")) : app2(c)
        }])
        let report = await deployer.up()
        #expect(report.ok)
        #expect(fakes["app2"]!.phases == [.inspect, .activate, .probe])
        #expect(report.hosts.first { $0.host == "app2" }?.repaired == ["\(stopped): it was not running"])
    }

    @Test func aRestartedWorkerThatExitsEndsTheWaitWithStatussWhy() async {
        let (deployer, fakes) = Self.deployer(["app1": Self.host("app1", sick: { true }, state: "failed/failed")])
        let report = await deployer.up()
        #expect(report.exitCode == .unhealthy)
        #expect(report.failure == "app1: workers unhealthy: pool main instance 0 (127.0.1.21:9000): systemd reports it failed/failed")
        let phases = fakes["app1"]!.phases
        // Seen exited twice in a row, then no more waiting: a 15 s timeout would take some 20 rounds.
        #expect(phases.filter { $0 == .states }.count == 2)
        // The quick check, the first round and two rounds of waiting; the why is judged from the
        // gate's own answers and one read of the host's status facts, with no probe of its own.
        #expect(phases.filter { $0 == .probe }.count == 4, "\(phases)")
        #expect(phases.filter { $0 == .status }.count == 1, "\(phases)")
        #expect(phases.filter { $0 == .activate }.count == 1, "restarted once, not again")
    }

    /// The gate's repair goes through the run's recorder: a restart the host refuses is recorded
    /// on that host and said, and the gate still judges what it then finds.
    @Test func aRepairThatCannotRestartIsRecordedOnItsHost() async {
        let sick = Self.host("app1", sick: { true }, state: "failed/failed")
        let said = Mutex<[String]>([])
        var fakes: [String: FakeTransport] = [:]
        for name in Self.plans.keys {
            fakes[name] = FakeTransport(hostName: name) { c in
                guard name == "app1", c.phase == .activate else { return name == "app1" ? sick(c) : Self.host(name)(c) }
                return .success(CommandOutput(status: 1, stdout: Array("@fail restart (exit 5)\n| Unit shop-main@0.service is masked.\n".utf8)))
            }
        }
        let deployer = Deployer(manifest: Self.manifest, connections: Connections(transports: fakes), parallel: 4, clock: ImmediateClock()) { e in
            said.withLock { $0.append("\(e.host ?? "-"): \(e.text)") }
        }
        let report = await deployer.up()
        #expect(report.exitCode == .unhealthy)
        #expect(report.hosts.first { $0.host == "app1" }?.error?.hasPrefix("restart (exit 5)") == true, "\(report.hosts)")
        #expect(said.withLock { $0 }.contains { $0.hasPrefix("app1: could not restart to repair: restart (exit 5)") }, "\(said.withLock { $0 })")
        #expect(fakes["app1"]!.phases.filter { $0 == .activate }.count == 1)
    }

    @Test func aPoolBrokenBeforeThisRunLetsTheMiddlesRepairGoAhead() async {
        let nginx = Self.plans["web"]!.files.first { $0.role == .middle && $0.path.hasSuffix("nginx.conf") }!.path
        let sick: Respond = Self.host("app1", sick: { true }, state: "failed/failed")
        let (deployer, fakes) = Self.deployer(["app1": sick, "app2": Self.host("app2", sick: { true }, state: "failed/failed"),
                                               "web": Self.host("web", changed: [nginx])])
        let report = await deployer.up()
        #expect(report.exitCode == .unhealthy)
        #expect(report.failure?.hasPrefix("app1: workers unhealthy: pool main instance 0") == true, "\(report.failure ?? "")")
        let web = report.hosts.first { $0.host == "web" }!
        #expect(web.reloaded == ["shop-middle"], "the hand-edited middle config is repaired")
        let middle = report.tiers.first { $0.tier == .middle }!
        #expect(middle.probes.map(\.target) == ["static /static/health.txt"], "its app probe passes through main: left out")
        #expect(fakes["edge"]!.phases.contains(.probe) == false, "the front's only probe passes through main")
    }

    @Test func aPoolThisRunChangedKeepsEverythingAboveItUntouched() async {
        let nginx = Self.plans["web"]!.files.first { $0.role == .middle && $0.path.hasSuffix("nginx.conf") }!.path
        let pool = Self.plans["app1"]!.files.first { $0.role.pool == "main" }!.path
        let (deployer, fakes) = Self.deployer(["app1": Self.host("app1", changed: [pool], sick: { true }, state: "failed/failed"),
                                               "web": Self.host("web", changed: [nginx])])
        let report = await deployer.up()
        #expect(report.exitCode == .unhealthy)
        #expect(report.hosts.first { $0.host == "web" }!.reloaded.isEmpty)
        #expect(report.tiers.map(\.tier) == [.workers], "no gate above the pool")
        #expect(!fakes["web"]!.commands.contains { $0.phase == .activate && String(decoding: $0.stdin, as: UTF8.self).contains("nginx.conf") })
    }

    @Test func aSignalDuringAGateEndsTheWaitAndRemovesWhatWasStaged() async {
        let signalled = Mutex(false)
        let nginx = Self.plans["web"]!.files.first { $0.role == .middle && $0.path.hasSuffix("nginx.conf") }!.path
        let pool = Self.plans["app1"]!.files.first { $0.role.pool == "main" }!.path
        let app1 = Self.host("app1", changed: [pool], sick: { true })
        var (deployer, fakes) = Self.deployer(["app1": { c in
            if c.phase == .probe { signalled.withLock { $0 = true } }
            return app1(c)
        }, "web": Self.host("web", changed: [nginx])])
        deployer.interruption = { signalled.withLock { $0 } ? SIGINT : nil }
        let report = await deployer.up()
        #expect(report.exitCode == .interrupted)
        #expect(report.failure?.hasPrefix("stopped by SIGINT during the workers health check (app1: workers unhealthy") == true, "\(report.failure ?? "")")
        #expect(fakes["app1"]!.phases.filter { $0 == .probe }.count <= 3, "the wait ends at once")
        #expect(fakes["web"]!.phases.last == .cleanup, "the middle's staged config is removed")
    }

    /// A probe round in flight (its relay waiting out 6 s timeouts) does not hold a signal up:
    /// the gate's wait ends while the round still runs, and the run stops as it does between
    /// rounds.
    @Test func aSignalEndsTheGateWithItsProbeRoundStillInFlight() async {
        let pool = Self.plans["app1"]!.files.first { $0.role.pool == "main" }!.path
        var (deployer, fakes) = Self.deployer(["app1": Self.host("app1", changed: [pool], sick: { true })])
        let slow = SlowProbes(fakes["app1"]!)
        var transports: [String: any Transport] = fakes
        transports["app1"] = slow
        deployer = Deployer(manifest: deployer.manifest, connections: Connections(transports: transports), parallel: 4, clock: ImmediateClock())
        deployer.interruption = { slow.inFlight.withLock { $0 } ? SIGINT : nil }
        let report = await deployer.up()
        #expect(report.exitCode == .interrupted, "\(report.failure ?? "")")
        #expect(slow.inFlight.withLock { $0 } && !slow.answered.withLock { $0 }, "the run ended before the round in flight answered")
    }
}

/// A host whose gate probes (after the activation's own) take their time: a round waiting out
/// its timeouts.
final class SlowProbes: Transport {
    let fake: FakeTransport
    let inFlight = Mutex(false), answered = Mutex(false)
    init(_ fake: FakeTransport) { self.fake = fake }
    var hostName: String { fake.hostName }
    func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput {
        guard command.phase == .probe else { return try await fake.run(command) }
        inFlight.withLock { $0 = true }
        try? await Task.sleep(for: .seconds(30))
        answered.withLock { $0 = true }
        return try await fake.run(command)
    }
    func shutdown() async {}
}
