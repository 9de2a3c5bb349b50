import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// Every script prints only the markers its phase declares, and prints them only through the
/// marker writer.
@Suite struct PhaseTests {
    static func plans() throws -> [HostPlan] {
        try Fixtures.manifestNames.flatMap { name -> [HostPlan] in
            var m = try Fixtures.manifest(name)
            m.pools[0].source = ReleaseSource(path: "/tmp/src")
            return HostPlan.all(m)
        }
    }

    func check<R>(_ script: HostScript<R>, _ expected: HostPhase, _ host: String) {
        #expect(script.phase == expected)
        #expect(script.code.markers.isSubset(of: expected.markers), "\(host) \(expected): prints \(script.code.markers.subtracting(expected.markers))")
        #expect(script.command.phase == expected && script.command.argv == ["sh", "-s"])
        for line in script.text.split(separator: "\n") {
            #expect(!line.contains("echo '@") && !line.contains("echo \"@") && !line.contains("s/^/@"), "\(host) \(expected): a marker not written by emit: \(line)")
        }
        // The host's sh reads it without a syntax error (dash, as `sh -s` on Debian).
        let syntax = try? Run.run(["/bin/sh", "-n"], input: Data(script.text.utf8))
        #expect(syntax?.status == 0, "\(host) \(expected): \(syntax?.stderr ?? "sh did not run")")
    }

    @Test func eachPhasePrintsWhatItDeclares() throws {
        let release = ReleaseArchive(id: "abcdef123456", tarGz: [1, 2, 3], requirementsHash: "0123456789ab", fileCount: 1)
        for plan in try Self.plans() {
            let host = plan.host.name, changes = HostChanges(plan: plan, state: HostState())
            check(Scripts.inspect(plan), .inspect, host)
            let holder = LockHolder(token: "t", identity: RunIdentity(user: "u", machine: "m", pid: 1), command: "up", started: Date())
            let exchange = Relay.Exchange(endpoint: .tcp(address: "127.0.0.1", port: 1), payload: [0, 1, 39, 10])
            check(Scripts.inspect(plan, lock: LockRequest(holder: holder, staleToken: "old"), probes: [exchange]), .inspect, host)
            check(Scripts.inspect(plan, lock: LockRequest(holder: holder), probes: [exchange], releasing: true), .inspect, host)
            check(Scripts.retake(plan, LockRequest(holder: holder)), .inspect, host)
            check(Scripts.acquireLock(plan.topology, LockRequest(holder: holder)), .lock, host)
            check(Scripts.check(plan), .check, host)
            check(Scripts.status(plan), .status, host)
            check(Scripts.stage(plan, changes), .stage, host)
            check(Scripts.cleanup(changes), .cleanup, host)
            for tier in plan.tiers {
                let actions = Activation.actions(tier: tier, plan: plan, changes: changes, state: HostState())
                check(Scripts.activate(actions, plan, changes), .activate, host)
                check(Scripts.activate(actions, plan, changes, probes: [exchange], wait: 3), .activate, host)
                check(Scripts.reloadMiddle(actions, plan, changes), .reloadMiddle, host)
                check(Scripts.down(tier, plan, last: tier == plan.tiers.first), .down, host)
            }
            for pool in plan.topology.manifest.pools where pool.hosts.contains(host) {
                check(Scripts.prepare(pool, release, plan), .prepare, host)
                check(Scripts.switchRelease(pool, to: release.id, plan), .switchRelease, host)
                check(Scripts.switchRelease(pool, to: release.id, plan, drain: 2, probes: [exchange], wait: 3), .switchRelease, host)
                check(Scripts.waitDrained(pool, plan, timeout: 1), .drainWait, host)
            }
        }
    }

    @Test func theMarkersAScriptPrintsAreTheOnesItsReplyReads() {
        let inspect = HostState(ScriptOutput("@file abc 644:root:root /a\n@dir 755:root:root /d\n@manager up\n@running x\n@release main r1\n@previous main r0\n"))
        #expect(inspect.files["/a"]?.sha256 == "abc" && inspect.directories["/d"] == "755:root:root" && inspect.managerRunning)
        #expect(inspect.running == ["x"] && inspect.releases == ["main": "r1"] && inspect.previousReleases == ["main": "r0"])
        #expect(StageReply(ScriptOutput("@valid /a\n@invalid /b\n| bad\n")) == StageReply(ScriptOutput("@valid /a\n")))
        #expect(PrepareReply(ScriptOutput("@prepared r1 already\n")).already && !PrepareReply(ScriptOutput("@prepared r1\n")).already)
        #expect(SwitchReply(ScriptOutput("@switched  r1\n")).from == nil && SwitchReply(ScriptOutput("@switched r0 r1\n")).from == "r0")
        #expect(DrainReply(ScriptOutput("@drain-timeout 3\n")).stillOpen == 3 && DrainReply(ScriptOutput("@drained 4\n")).stillOpen == 0)
        #expect(SwitchReply(ScriptOutput("@switched r0 r1\n@pruned release r0\n@pruned venv v0\n")).pruned == ["release r0", "venv v0"])
    }

    /// A script cut short before its phase's end marker has not done its work, whatever its exit
    /// status: the runner fails it (staging that stopped early must never count as staged).
    @Test func aScriptThatNeverReachedItsEndMarkerFails() async throws {
        let plan = try #require(try Self.plans().first { $0.host.name == "web" })
        let script = Scripts.stage(plan, HostChanges(plan: plan, state: HostState()))
        #expect(script.phase.endMarker == .staged)
        let answer = { (text: String) in FakeTransport(hostName: "web") { _ in .success(CommandOutput(status: 0, stdout: Array(text.utf8))) } }
        let cut = await HostRunner.execute(script, on: answer("@valid /a\n"))
        #expect(cut.failure == .script(message: "the stage script ended before its end without a message", output: ScriptOutput("@valid /a\n")))
        let whole = await HostRunner.execute(script, on: answer("@valid /a\n@staged\n"))
        #expect((try? whole.get()) == StageReply(ScriptOutput("@valid /a\n")))
        // Phases without an end marker need none.
        #expect(try await HostRunner.execute(Scripts.waitDrained(plan.topology.manifest.pools[0], plan, timeout: 1), on: answer("")).get() == DrainReply(ScriptOutput("")))
    }

    @Test func filesCarryTheirRoleAndCheckFromTheRenderer() throws {
        var m = try Fixtures.manifest("full")
        m.pools[0].source = ReleaseSource(path: "/tmp/src")
        for plan in HostPlan.all(m) {
            for f in plan.files {
                let name = (f.path as NSString).lastPathComponent
                switch name {
                case "apache2.conf": #expect(f.role == .front && f.file.check == .apache(binary: "/usr/sbin/apache2", serverRoot: "/srv/stackctl/shop/front"))
                case "nginx.conf": #expect(f.role == .middle && f.file.check == .nginx(binary: "/usr/sbin/nginx", prefix: "/srv/stackctl/shop/middle", openFiles: 2112))
                case "supervisord.conf": #expect(f.role == .manager && f.file.check.isSupervisord)
                case "supervisord": #expect(f.role == .manager && f.file.check == .python(interpreter: "/usr/bin/python3", imports: []) && f.file.mode == 0o755)
                case "pool.json": #expect(f.role.tier == .workers && f.file.check == .none)
                case "launcher.py" where f.role.pool == m.pools[0].name:
                    #expect(f.file.check == .python(interpreter: "/usr/bin/python3", imports: []), "a sourced pool's release brings flup")
                case "launcher.py": #expect(f.file.check == .python(interpreter: m.pools[1].python, imports: ["flup.server.fcgi", "flup.server.fcgi_fork"]))
                case "shop.target": #expect(f.role == .manager && f.file.check == .systemdUnit(unit: "shop.target"))
                case "shop-main@.service": #expect(f.role == .workers(pool: "main") && f.file.check == .systemdUnit(unit: "shop-main@0.service"))
                case "shop-front.service": #expect(f.role == .front && f.file.check == .systemdUnit(unit: "shop-front.service"))
                case "shop-supervisord.service", "shop-supervisord-boot.service":
                    #expect(f.role == .manager && f.file.check == .systemdUnit(unit: name) && f.file.needsSystemdInit && plan.host.processManager == .supervisord)
                default: Issue.record("\(plan.host.name): unexpected file \(f.path) (\(name))")
                }
            }
        }
    }
}

/// A supervisord control run that starts or restarts programs runs the probe relay in its own
/// Python; the step's shell says what `run` would, with the relay's answers after its markers.
@Suite struct RelayedStepTests {
    static let exchange = Relay.Exchange(endpoint: .tcp(address: "127.0.0.1", port: 1), payload: [0, 1])

    static func plan() throws -> HostPlan {
        try #require(HostPlan.all(try Fixtures.manifest("ha")).first { $0.host.processManager == .supervisord && Scripts.relaysWithStatus($0) && !$0.programs(of: .workers).isEmpty })
    }

    /// The step with a stand-in for the control run: it prints STACKCTL_SAY and its last
    /// argument on descriptor 7, then exits with `status`.
    static func run(status: Int) throws -> (status: Int32, stdout: String) {
        let fake = "printf '%s' \"$STACKCTL_SAY\" >&7; eval \"printf '@probes %s\\\\n' \\\"\\${$#}\\\"\" >&7; echo said; exit \(status)"
        let step = try #require(Scripts.relayed("started a", ["sh", "-c", fake, "control"], try plan(), [exchange], wait: 3,
                                                saying: "@activated\n"))
        let r = try Run.run(["/bin/sh", "-c", (Scripts.prelude + step + "echo after\n").text])
        return (r.status, r.stdout)
    }

    @Test func theStepsMarkersComeFirstThenTheAnswersThenItsOutput() throws {
        let ok = try Self.run(status: 0)
        #expect(ok.status == 0)
        #expect(ok.stdout == "@ok started a\n@activated\n@probes 3.0\n| said\nafter\n", "\(ok.stdout)")
        let failed = try Self.run(status: 3)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("@fail started a (exit 3)\n| said\n") && !failed.stdout.contains("after"), "\(failed.stdout)")
    }

    @Test func activationAndSwitchUseItWhereTheRelaySharesTheInterpreter() throws {
        let plan = try Self.plan()
        let names = plan.programs(of: .workers).map { ServiceControl.name($0, plan) }
        let activate = Scripts.activate([.start(names)], plan, HostChanges(files: []), probes: [Self.exchange], wait: 3).text
        #expect(activate.contains("start \(names.joined(separator: " ")) --relay 7 "), "\(activate)")
        #expect(!activate.contains("|| true"), "no relay of its own")
        #expect(Scripts.activate([.start(names)], plan, HostChanges(files: [])).text.contains("printf '@activated\\n'"))
        let pool = try #require(plan.topology.manifest.pools.first { $0.hosts.contains(plan.host.name) })
        let switched = Scripts.switchRelease(pool, to: "r1", plan, probes: [Self.exchange], wait: 3).text
        #expect(switched.contains(" --relay 7 ") && !switched.contains("|| true"), "\(switched)")
    }
}
