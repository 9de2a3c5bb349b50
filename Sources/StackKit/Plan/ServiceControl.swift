/// The process-manager commands, as argv, for supervisord and systemd.
public enum ServiceControl {
    /// The name the process manager knows a program by.
    public static func name(_ program: Program, _ plan: HostPlan) -> String {
        switch plan.host.processManager {
        case .supervisord: program.pool.map { "\(plan.topology.poolUnit($0)):\(program.name)" } ?? program.name
        case .systemd: program.pool.map { "\(plan.topology.poolUnit($0))@\(program.instance ?? 0).service" } ?? "\(program.name).service"
        }
    }

    static func supervisor(_ plan: HostPlan, _ args: [String]) -> [String] { SupervisorControl.argv(plan, args) }

    /// The argv for one action; `commit` is handled by the script itself.
    public static func argv(_ action: Action, _ plan: HostPlan) -> [[String]] {
        let t = plan.topology
        switch (plan.host.processManager, action) {
        case (_, .commit), (_, .endStrays):
            return []
        case (.supervisord, .startManager(let unit)):
            return [unit.map { ["systemctl", "start", $0] } ?? [t.supervisordPath, "-c", t.supervisorConfigPath]]
        case (_, .enableAtBoot(let unit)):
            return [["systemctl", "daemon-reload"], ["systemctl", "enable", "--quiet", unit]]
        case (.supervisord, .reloadManager):
            return [supervisor(plan, ["update"])]
        case (.supervisord, .start(let names)):
            return [supervisor(plan, ["start"] + names)]
        case (.supervisord, .restart(let names)):
            return [supervisor(plan, ["restart"] + names)]
        case (_, .startOrReload(let name)):
            // The host's script decides between the two (Scripts.activateBody); elsewhere, a reload.
            return argv(.reload(name), plan)
        case (.supervisord, .reload(let name)):
            guard let program = plan.programs.first(where: { $0.name == name }) else { return [] }
            return [program.reloadArgv ?? supervisor(plan, ["signal", program.reloadSignal ?? "USR1", name])]
        case (.systemd, .startManager):
            return []
        case (.systemd, .reloadManager):
            return [["systemctl", "daemon-reload"], ["systemctl", "enable", "\(t.manifest.name).target"]]
        // Workers are Type=notify: without --no-block systemctl would wait for them to be ready,
        // and a worker that cannot start would fail the command instead of its health gate
        // (which says why: the FastCGI answer, the program's last line).
        // A unit that crash-looped (a missing virtualenv, say) may have hit its start limit:
        // a deliberate start clears that first (`reset-failed` errs on a unit not loaded yet).
        case (.systemd, .start(let units)):
            return [resetFailed(units), ["systemctl", "enable", "--now", "--no-block"] + units]
        case (.systemd, .restart(let units)):
            return [resetFailed(units), ["systemctl", "restart", "--no-block"] + units]
        case (.systemd, .reload(let unit)):
            return [["systemctl", "reload", unit]]
        }
    }

    static func resetFailed(_ units: [String]) -> [String] {
        ["sh", "-c", "systemctl reset-failed \"$@\" 2>/dev/null; exit 0", "sh"] + units
    }

    public static func stop(_ tier: Tier, _ plan: HostPlan) -> [[String]] {
        let names = plan.programs(of: tier).map { name($0, plan) }
        guard !names.isEmpty else { return [] }
        switch plan.host.processManager {
        case .supervisord: return [supervisor(plan, ["stop"] + names)]
        case .systemd: return [["systemctl", "disable", "--now"] + names]
        }
    }
}
