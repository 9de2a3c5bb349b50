import Testing
@testable import StackKit

/// A supervisord stack on a host whose PID 1 is systemd gets two units: systemd runs its
/// supervisord, and a boot unit starts the programs tier by tier. Elsewhere neither exists.
@Suite struct SupervisordBootTests {
    static let units = ["/etc/systemd/system/shop-supervisord.service", "/etc/systemd/system/shop-supervisord-boot.service"]

    @Test func theBootUnitStartsEachTierInTurnAfterSupervisord() throws {
        let plan = try PlanTests.plan("full", host: "web")
        let boot = try #require(plan.files.first { $0.path == Self.units[1] })
        #expect(boot.file.needsSystemdInit && boot.role == .manager)
        let starts = boot.file.contents.split(separator: "\n").filter { $0.hasPrefix("ExecStart=") }
        #expect(starts == [
            #"ExecStart=-"/usr/bin/supervisorctl" "-c" "/srv/stackctl/shop/supervisor/supervisord.conf" "start" "shop-admin:*""#,
            #"ExecStart=-"/usr/bin/supervisorctl" "-c" "/srv/stackctl/shop/supervisor/supervisord.conf" "start" "shop-middle""#,
        ])
        #expect(boot.file.contents.contains("Wants=shop-supervisord.service\nAfter=shop-supervisord.service\n"))
        #expect(boot.file.contents.contains("WantedBy=multi-user.target"))
        let manager = try #require(plan.files.first { $0.path == Self.units[0] })
        #expect(manager.file.contents.contains("Type=forking\nPIDFile=/srv/stackctl/shop/run/supervisord.pid\n"))
        #expect(!manager.file.contents.contains("[Install]"), "only the boot unit is enabled; it pulls supervisord in")
        // systemd hosts have no supervisord at all.
        #expect(try PlanTests.plan("full", host: "app1").files.allSatisfy { !$0.path.contains("supervisord") })
    }

    @Test func withoutSystemdAsInitTheUnitsAreNeitherWrittenNorMissed() throws {
        let plan = try PlanTests.plan("full", host: "web")
        var state = PlanTests.deployed(plan)
        for path in Self.units { state.files[path] = nil }
        let changes = HostChanges(plan: plan, state: state)
        #expect(changes.isEmpty)
        #expect(Activation.actions(tier: .workers, plan: plan, changes: changes, state: state) == [])
        let fresh = HostChanges(plan: plan, state: HostState())
        #expect(!fresh.files.contains { Self.units.contains($0.path) })
    }

    @Test func aFreshSystemdHostGetsTheUnitsEnablesTheBootUnitAndStartsSupervisordThroughSystemd() throws {
        let plan = try PlanTests.plan("full", host: "web")
        let state = HostState.parse("@manager down\n@init systemd\n")
        #expect(state.bootsSystemd && state.enabled.isEmpty)
        let changes = HostChanges(plan: plan, state: state)
        let actions = Activation.actions(tier: .workers, plan: plan, changes: changes, state: state)
        #expect(actions == [
            .commit(["/srv/stackctl/shop/pools/admin/launcher.py", "/srv/stackctl/shop/pools/admin/pool.json",
                     "/srv/stackctl/shop/supervisor/supervisord.conf", "/srv/stackctl/shop/supervisor/supervisord"] + Self.units),
            .enableAtBoot("shop-supervisord-boot.service"),
            .startManager(unit: "shop-supervisord.service"),
            .start(["shop-admin:shop-admin-0"]),
        ])
        #expect(ServiceControl.argv(actions[1], plan) == [["systemctl", "daemon-reload"], ["systemctl", "enable", "--quiet", "shop-supervisord-boot.service"]])
        #expect(ServiceControl.argv(actions[2], plan) == [["systemctl", "start", "shop-supervisord.service"]])
        #expect(ServiceControl.argv(.startManager(unit: nil), plan) == [["/srv/stackctl/shop/supervisor/supervisord", "-c", "/srv/stackctl/shop/supervisor/supervisord.conf"]])
    }

    @Test func aBootUnitDisabledByHandIsEnabledAgainAndAnEnabledOneLeftAlone() throws {
        let plan = try PlanTests.plan("full", host: "web")
        var state = PlanTests.deployed(plan)
        state.bootsSystemd = true
        #expect(Activation.actions(tier: .workers, plan: plan, changes: HostChanges(plan: plan, state: state), state: state) == [.enableAtBoot("shop-supervisord-boot.service")])
        #expect(Activation.actions(tier: .middle, plan: plan, changes: HostChanges(plan: plan, state: state), state: state) == [])
        state = HostState.parse("@init systemd\n@enabled shop-supervisord-boot.service\n")
        var deployed = PlanTests.deployed(plan)
        deployed.bootsSystemd = state.bootsSystemd
        deployed.enabled = state.enabled
        #expect(Activation.actions(tier: .workers, plan: plan, changes: HostChanges(plan: plan, state: deployed), state: deployed) == [])
    }

    @Test func inspectAsksForInitAndTheBootUnitAndDownDisablesIt() throws {
        let plan = try PlanTests.plan("full", host: "web")
        let inspect = Scripts.inspect(plan).text
        #expect(inspect.contains("if [ -d /run/systemd/system ]; then printf '@init %s\\n' systemd"))
        #expect(inspect.contains("systemctl is-enabled --quiet shop-supervisord-boot.service 2>/dev/null && printf '@enabled %s\\n' shop-supervisord-boot.service"))
        let down = Scripts.down(.workers, plan, last: true).text
        #expect(down.contains("[ -f /etc/systemd/system/shop-supervisord-boot.service ] && systemctl disable --quiet shop-supervisord-boot.service"))
        #expect(!Scripts.down(.middle, plan, last: false).text.contains("disable"))
    }
}
