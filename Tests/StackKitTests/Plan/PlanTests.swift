import Testing
@testable import StackKit

@Suite struct PlanTests {
    static func plan(_ fixture: String, host: String) throws -> HostPlan {
        let renderer = StackRenderer(try Fixtures.manifest(fixture))
        let rendered = try #require(renderer.renderAll().first { $0.host.name == host })
        return HostPlan(rendered, topology: renderer.topology)
    }

    /// The state of a host where `plan` is fully deployed and every program runs.
    static func deployed(_ plan: HostPlan) -> HostState {
        var s = HostState()
        for f in plan.files { s.files[f.path] = .init(sha256: f.sha256, ownership: f.ownership) }
        for d in plan.directories { s.directories[d.path] = "\(String(d.mode, radix: 8)):\(d.owner):\(d.group)" }
        s.managerRunning = true
        s.running = Set(plan.programs.map { ServiceControl.name($0, plan) })
        return s
    }

    @Test func filesBelongToTheTierThatUsesThem() throws {
        let plan = try Self.plan("full", host: "web")
        let roles = Dictionary(uniqueKeysWithValues: plan.files.map { ($0.path, $0.role) })
        #expect(roles["/srv/stackctl/shop/middle/nginx.conf"] == .middle)
        #expect(roles["/srv/stackctl/shop/pools/admin/pool.json"] == .workers(pool: "admin"))
        #expect(roles["/srv/stackctl/shop/supervisor/supervisord.conf"] == .manager)
        #expect(plan.tiers == [.workers, .middle])
        #expect(plan.files.first { $0.path.hasSuffix("pool.json") }?.stagedPath == "/srv/stackctl/shop/pools/admin/.pool.json.stackctl-new")
    }

    @Test func inspectOutputParses() {
        let state = HostState.parse("""
        @file abc 644:root:root /srv/x.conf
        @dir 755:root:root /srv
        @manager up
        @running shop-main:shop-main-0
        | noise
        """)
        #expect(state.files == ["/srv/x.conf": .init(sha256: "abc", ownership: "644:root:root")])
        #expect(state.directories == ["/srv": "755:root:root"] && state.managerRunning && state.running == ["shop-main:shop-main-0"])
    }

    @Test func aDeployedHostNeedsNothing() throws {
        for (fixture, host) in [("full", "web"), ("full", "app1"), ("full", "edge"), ("ha", "m1")] {
            let plan = try Self.plan(fixture, host: host)
            let state = Self.deployed(plan)
            let changes = HostChanges(plan: plan, state: state)
            #expect(changes.isEmpty)
            for tier in plan.tiers {
                #expect(Activation.actions(tier: tier, plan: plan, changes: changes, state: state) == [], "\(fixture) \(host) \(tier)")
            }
        }
    }

    @Test func aFreshSupervisordHostCommitsStartsTheManagerAndEachTierInTurn() throws {
        let plan = try Self.plan("full", host: "web")
        let state = HostState()
        let changes = HostChanges(plan: plan, state: state)
        #expect(Activation.actions(tier: .workers, plan: plan, changes: changes, state: state) == [
            .commit(["/srv/stackctl/shop/pools/admin/launcher.py", "/srv/stackctl/shop/pools/admin/pool.json", "/srv/stackctl/shop/supervisor/supervisord.conf",
                     "/srv/stackctl/shop/supervisor/supervisord"]),
            .startManager(unit: nil),
            .start(["shop-admin:shop-admin-0"]),
        ])
        #expect(Activation.actions(tier: .middle, plan: plan, changes: changes, state: state) == [
            .commit(["/srv/stackctl/shop/middle/nginx.conf"]), .start(["shop-middle"]),
        ])
    }

    @Test func changedWorkerFilesRestartOnlyThatPoolAndAChangedConfigReloads() throws {
        let plan = try Self.plan("full", host: "web")
        var state = Self.deployed(plan)
        state.files["/srv/stackctl/shop/pools/admin/pool.json"]?.sha256 = "old"
        state.files["/srv/stackctl/shop/middle/nginx.conf"]?.sha256 = "old"
        let changes = HostChanges(plan: plan, state: state)
        #expect(Activation.actions(tier: .workers, plan: plan, changes: changes, state: state) == [
            .commit(["/srv/stackctl/shop/pools/admin/pool.json"]), .restart(["shop-admin:shop-admin-0"]),
        ])
        #expect(Activation.actions(tier: .middle, plan: plan, changes: changes, state: state) == [
            .commit(["/srv/stackctl/shop/middle/nginx.conf"]), .reload("shop-middle"),
        ])
        #expect(ServiceControl.argv(.reload("shop-middle"), plan) == [[
            "/usr/sbin/nginx", "-p", "/srv/stackctl/shop/middle", "-c", "/srv/stackctl/shop/middle/nginx.conf", "-s", "reload",
        ]])
    }

    /// supervisord's update restarts a program only when its own section changed: a running
    /// server whose config changed with its host's supervisord config is reloaded if the update
    /// left it running, else started; the host decides.
    @Test func aServerWhoseSupervisordConfigChangedTooIsReloadedOrStartedAsItsHostFinds() throws {
        let plan = try Self.plan("ha", host: "m2")
        let conf = plan.topology.supervisorConfigPath
        let server = try #require(plan.files.first { $0.role == .middle && $0.file.check != .none }).path
        var state = Self.deployed(plan)
        state.files[conf]?.sha256 = "old"
        state.files[server]?.sha256 = "old"
        let actions = Activation.actions(tier: .middle, plan: plan, changes: HostChanges(plan: plan, state: state), state: state)
        guard case .commit(let paths) = actions.first else { Issue.record("\(actions)"); return }
        #expect(Set(paths) == [conf, server])
        #expect(Array(actions.dropFirst()) == [.reloadManager, .startOrReload("ha-middle")])
        let script = Scripts.activate(actions, plan, HostChanges(plan: plan, state: state)).text
        #expect(script.contains(" status ha-middle 2>/dev/null | grep -qxF '@running ha-middle'; then\nrun 'reloaded ha-middle' "), "\(script)")
        #expect(script.contains("else\nrun 'started ha-middle' "))

        // Only the supervisord config changed: started (nothing, if the update left it running).
        state.files[server]?.sha256 = try #require(plan.files.first { $0.path == server }).sha256
        #expect(Activation.actions(tier: .middle, plan: plan, changes: HostChanges(plan: plan, state: state), state: state)
            == [.commit([conf]), .reloadManager, .start(["ha-middle"])])
        // Not running: started.
        state.files[server]?.sha256 = "old"
        state.running.remove("ha-middle")
        #expect(Activation.actions(tier: .middle, plan: plan, changes: HostChanges(plan: plan, state: state), state: state).last == .start(["ha-middle"]))
    }

    /// A systemd server's unit applies when systemd starts it: a running front whose unit
    /// changed is reloaded (its config) and named as pending a restart; its config alone is not.
    @Test func aRunningServerWhoseUnitChangedIsReloadedAndNamedAsPendingARestart() throws {
        let plan = try Self.plan("full", host: "edge")
        let unit = try #require(plan.files.first { $0.role == .front && $0.file.check.isSystemdUnit })
        let config = try #require(plan.files.first { $0.role == .front && !$0.file.check.isSystemdUnit && $0.file.check != .none })
        guard case .systemdUnit(let name) = unit.file.check else { Issue.record("\(unit.file.check)"); return }
        var state = Self.deployed(plan)
        state.files[config.path]?.sha256 = "old"
        let pending = { (state: HostState) in
            let changes = HostChanges(plan: plan, state: state)
            return Activation.unitsPending(Activation.actions(tier: .front, plan: plan, changes: changes, state: state),
                                           tier: .front, plan: plan, changes: changes)
        }
        #expect(pending(state) == [])
        state.files[unit.path]?.sha256 = "old"
        #expect(Activation.actions(tier: .front, plan: plan, changes: HostChanges(plan: plan, state: state), state: state).last == .reload(name))
        #expect(pending(state) == [name])
        // Not running: started, with its new unit.
        state.running.remove(name)
        #expect(pending(state) == [])
    }

    /// lighttpd sets its open-file limit at its start: a reload's script reads the running
    /// server's (its pid file, /proc) against its config's; nginx's is not read
    /// (`PendingRestartTests` runs the lines).
    @Test func aLighttpdReloadReadsTheLimitItCannotRaise() throws {
        let plan = try Self.plan("ha", host: "m2")
        let script = Scripts.activate([.reload("ha-middle")], plan, HostChanges(files: [])).text
        let want = try #require(plan.programs.first { $0.name == "ha-middle" }?.openFiles)
        #expect(script.contains("p=$(cat /srv/stackctl/ha/run/lighttpd.pid 2>/dev/null); have=$(awk '/^Max open files/ { print $4 }' /proc/\"$p\"/limits"))
        #expect(script.contains("if [ \"$have\" -lt \(want) ]; then"), "\(script)")
        let nginx = try Self.plan("full", host: "web")
        #expect(!Scripts.activate([.reload("shop-middle")], nginx, HostChanges(files: [])).text.contains("/limits"))
    }

    @Test func aStoppedProgramIsStartedEvenWhenNothingChanged() throws {
        let plan = try Self.plan("full", host: "app1")
        var state = Self.deployed(plan)
        state.running.remove("shop-main@1.service")
        #expect(Activation.actions(tier: .workers, plan: plan, changes: HostChanges(plan: plan, state: state), state: state) == [.start(["shop-main@1.service"])])
        #expect(ServiceControl.argv(.start(["shop-main@1.service"]), plan) == [ServiceControl.resetFailed(["shop-main@1.service"]), ["systemctl", "enable", "--now", "--no-block", "shop-main@1.service"]])
    }

    @Test func systemdUnitsReloadTheDaemonAndLighttpdReloadsBySignal() throws {
        let plan = try Self.plan("full", host: "app1")
        let state = HostState()
        let actions = Activation.actions(tier: .workers, plan: plan, changes: HostChanges(plan: plan, state: state), state: state)
        #expect(actions.dropFirst().first == .reloadManager)
        #expect(ServiceControl.argv(.reloadManager, plan) == [["systemctl", "daemon-reload"], ["systemctl", "enable", "shop.target"]])
        let m1 = try Self.plan("ha", host: "m1")
        #expect(ServiceControl.argv(.reload("ha-middle"), m1) == [["/usr/bin/python3", "-I", "-S", "-c", SupervisorControl.script, "/srv/stackctl/ha/run/supervisor.sock", "signal", "USR1", "ha-middle"]])
    }

    @Test func theStageScriptValidatesEachConfigWithItsServerBeforeAnythingGoesLive() throws {
        let plan = try Self.plan("full", host: "web")
        let script = Scripts.stage(plan, HostChanges(plan: plan, state: HostState())).text
        #expect(script.contains("(umask 077 && base64 -d > /srv/stackctl/shop/middle/.nginx.conf.stackctl-new) <<'STACKCTL_EOF'"))
        #expect(script.contains("check /srv/stackctl/shop/middle/nginx.conf '' /usr/sbin/nginx -t -q -p /srv/stackctl/shop/middle -c /srv/stackctl/shop/middle/.nginx.conf.stackctl-new"))
        // Secrets are for the pool's own account only; that account is made before anything is given to it.
        // Given to it (one chown per owner, one chmod per mode) only once it is written.
        let poolJSON = "/srv/stackctl/shop/pools/admin/.pool.json.stackctl-new"
        let given = try #require(script.range(of: "chown shop-admin:shop-admin \(poolJSON)")?.lowerBound)
        #expect(script.range(of: "base64 -d > \(poolJSON)")!.lowerBound < given)
        #expect(script.split(separator: "\n").contains { $0.hasPrefix("chmod 440 ") && $0.contains(poolJSON) })
        #expect(script.components(separatedBy: "\nchown ").count - 1 == Set(plan.files.map { $0.file.owner + ":" + $0.file.group }).count)
        let made = try #require(script.range(of: "account passwd shop-admin useradd --system --gid shop-admin --no-create-home"))
        #expect(script.range(of: "account group shop-admin groupadd --system shop-admin")!.lowerBound < made.lowerBound)
        #expect(made.lowerBound < script.range(of: "install -d")!.lowerBound)
        #expect(!script.contains("account passwd shop "), "an account the manifest names is not made")
        #expect(script.contains("if [ $invalid -ne 0 ]; then cleanup; exit 1; fi"))
        #expect(!script.contains("mv -f"), "staging never touches live files")
        let edge = try Self.plan("full", host: "edge")
        #expect(Scripts.stage(edge, HostChanges(plan: edge, state: HostState())).text.contains("check /srv/stackctl/shop/front/apache2.conf 'Syntax OK' /usr/sbin/apache2 -t -f /srv/stackctl/shop/front/.apache2.conf.stackctl-new -d /srv/stackctl/shop/front"))
    }

    @Test func supervisordsConfigAndLauncherAreCheckedByOnePythonRun() throws {
        let plan = try Self.plan("ha", host: "m1")
        let launcher = plan.topology.supervisordPath, conf = plan.topology.supervisorConfigPath
        let both = Scripts.stage(plan, HostChanges(plan: plan, state: HostState())).text
        #expect(both.contains("check \(conf) '' /usr/bin/python3 -c "))
        #expect(both.contains(" \(PlannedFile.staged(conf)) \(PlannedFile.staged(launcher))\n[ $rc -eq 0 ] && [ -z \"$out\" ] && printf '@valid %s\\n' \(launcher)\n"))
        #expect(!both.contains("check \(launcher) "), "no check of its own")
        // The launcher alone (its config as it was): parsed by a check of its own.
        var changes = HostChanges(plan: plan, state: HostState())
        changes.files = changes.files.filter { $0.path == launcher }
        let alone = Scripts.stage(plan, changes).text
        #expect(alone.contains("check \(launcher) '' /usr/bin/python3 -c 'import sys, ast; ast.parse("))
        #expect(!alone.contains("check \(conf) "))
    }

    @Test func theActivateScriptRenamesThenRunsTheActions() throws {
        let plan = try Self.plan("full", host: "web")
        let changes = HostChanges(plan: plan, state: HostState())
        let script = Scripts.activate([.commit(["/srv/stackctl/shop/middle/nginx.conf"]), .start(["shop-middle"])], plan, changes).text
        let start = ShellQuote.line(SupervisorControl.argv(plan, ["start", "shop-middle"]))
        #expect(script.contains("run 'commit /srv/stackctl/shop/middle/nginx.conf' mv -f /srv/stackctl/shop/middle/.nginx.conf.stackctl-new /srv/stackctl/shop/middle/nginx.conf\nrun 'started shop-middle' \(start)\n"))
        #expect(start.hasPrefix("/usr/bin/python3 -I -S -c '# The C modules") && start.contains("\nimport _socket, posix, sys, time\nfrom xml.parsers import expat") && start.hasSuffix("' /srv/stackctl/shop/run/supervisor.sock start shop-middle"))
    }
}
