import Foundation
import Testing
@testable import StackKit

/// Programs left running outside supervisord (it was killed): found, ended by `up` before the
/// programs start again, and named by `status`.
@Suite struct StrayTests {
    static let worker = "/usr/bin/python3 /srv/stackctl/shop/pools/admin/launcher.py /srv/stackctl/shop/pools/admin/pool.json 0"
    static let middle = "/usr/sbin/nginx -p /srv/stackctl/shop/middle -c /srv/stackctl/shop/middle/nginx.conf"

    /// The `web` host of the `full` fixture (pool admin and an nginx middle, under supervisord)
    /// with the given `@ps` lines.
    static func state(_ lines: String, manager: Bool, running: Bool = false) throws -> (HostPlan, HostState) {
        let plan = try PlanTests.plan("full", host: "web")
        var state = PlanTests.deployed(plan)
        let listed = HostState.parse(lines)
        state.stackProcesses = listed.stackProcesses
        state.managerPid = listed.managerPid
        state.managerRunning = manager
        if !running { state.running = [] }
        return (plan, state)
    }

    @Test func theTopmostProcessOfAProgramNotUnderSupervisordIsAStray() throws {
        let (plan, state) = try Self.state("""
        @ps 500 1 \(Self.worker)
        @ps 501 500 \(Self.worker)
        @ps 600 1 nginx: master process \(Self.middle)
        @ps 700 1 /usr/bin/python3 /srv/stackctl/shop/pools/admin/launcher.py /srv/stackctl/shop/pools/admin/pool.json 7
        @ps 800 1 grep -lsF -e /srv/stackctl/shop/
        @svpid 400
        """, manager: false)
        #expect(state.stackProcesses.count == 5 && state.managerPid == 400)
        #expect(Strays.find(plan, state) == [Stray(program: "shop-admin:shop-admin-0", pid: 500), Stray(program: "shop-middle", pid: 600)])
    }

    @Test func supervisordsOwnChildrenAreNoStrays() throws {
        let (plan, state) = try Self.state("@ps 500 400 \(Self.worker)\n@ps 501 500 \(Self.worker)\n@svpid 400\n", manager: true, running: true)
        #expect(Strays.find(plan, state) == [])
        var systemd = plan
        systemd.host.processManager = .systemd
        let (_, orphaned) = try Self.state("@ps 500 1 \(Self.worker)\n", manager: true)
        #expect(Strays.find(systemd, orphaned) == [], "a unit's processes stay in its cgroup")
    }

    /// supervisord killed: up starts a new one, ends the strays, then starts each program.
    @Test func upEndsTheStraysBeforeStartingTheirPrograms() throws {
        let (plan, state) = try Self.state("@ps 500 1 \(Self.worker)\n@ps 600 1 nginx: master process \(Self.middle)\n@svpid 400\n", manager: false)
        let changes = HostChanges(plan: plan, state: state)
        #expect(Activation.actions(tier: .workers, plan: plan, changes: changes, state: state) == [
            .startManager(unit: nil), .endStrays([Stray(program: "shop-admin:shop-admin-0", pid: 500)]), .start(["shop-admin:shop-admin-0"]),
        ])
        #expect(Activation.actions(tier: .middle, plan: plan, changes: changes, state: state) == [
            .endStrays([Stray(program: "shop-middle", pid: 600)]), .start(["shop-middle"]),
        ])
        #expect(Action.endStrays([Stray(program: "shop-middle", pid: 600)]).summary
                == "ended pid 600 (shop-middle), left running outside supervisord")
    }

    /// A stray beside a running program (one that took its unix socket): ended, and the
    /// program restarted so that it binds its socket again.
    @Test func aStrayBesideARunningProgramIsEndedAndTheProgramRestarted() throws {
        let (plan, state) = try Self.state("@ps 410 400 \(Self.worker)\n@ps 500 1 \(Self.worker)\n@svpid 400\n", manager: true, running: true)
        let changes = HostChanges(plan: plan, state: state)
        #expect(Activation.actions(tier: .workers, plan: plan, changes: changes, state: state) == [
            .endStrays([Stray(program: "shop-admin:shop-admin-0", pid: 500)]), .restart(["shop-admin:shop-admin-0"]),
        ])
    }

    @Test func theScriptsEndStraysByTheirCommandLine() throws {
        let (plan, state) = try Self.state("@ps 500 1 \(Self.worker)\n", manager: false)
        let script = Scripts.activate([.endStrays(Strays.find(plan, state))], plan, HostChanges(plan: plan, state: state)).text
        #expect(script.contains("run 'end shop-admin:shop-admin-0 outside supervisord' endstray '\(Self.worker)' TERM 15"))
        let down = Scripts.down(.workers, plan, last: true).text
        #expect(down.contains("endstray '\(Self.worker)' TERM 15"), "down ends strays too, even with supervisord gone")
    }

    @Test func statusNamesTheStrayAndWhatRepairsIt() throws {
        let worker = Self.worker
        let answers = try StatusTests.judge("@ps 500 1 \(worker)\n@svpid 400\n@sock 660:www-data:www-data /srv/stackctl/shop/run/admin/0.sock\n@groups www-data www-data\n",
                                            head: "@manager down\n", probes: StatusTests.ok)
        let w = try #require(answers.first)
        #expect(!w.healthy && w.process == .init(state: "unmanaged", pid: 500, uptimeSeconds: nil))
        #expect(w.why == "supervisord is not running; pid 500 still serves it unmanaged, left behind when supervisord died: "
                + "`stackctl up` ends it and starts it under supervisord")
        let beside = try #require(try StatusTests.judge("@ps 500 1 \(worker)\n@svpid 400\n", probes: StatusTests.ok).first)
        #expect(beside.why == "pid 500 runs it outside supervisord, which reports it running: `stackctl up` ends it and starts it under supervisord")
    }
}
