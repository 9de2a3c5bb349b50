/// One step of bringing a tier up on a host.
public enum Action: Sendable, Equatable {
    case commit([String])
    /// Starts supervisord: by its unit where the host boots with systemd, else by itself.
    case startManager(unit: String?)
    /// Makes a supervisord stack start at boot (daemon-reload, then enable the boot unit).
    case enableAtBoot(String)
    case reloadManager
    case start([String])
    case restart([String])
    case reload(String)
    /// A server whose config changed on a host whose supervisord config changed too: supervisord's
    /// update restarts it only when its own section changed, so the host decides: reloaded when
    /// it is still running, else started (with the new config either way).
    case startOrReload(String)
    /// Ends processes of the stack's programs that run outside supervisord (`Strays`).
    case endStrays([Stray])

    /// What the action will do, for `plan`.
    public var intent: String {
        switch self {
        case .commit(let paths): "put \(paths.count) file\(paths.count == 1 ? "" : "s") in place"
        case .startManager: "start supervisord"
        case .enableAtBoot(let unit): "enable \(unit) at boot"
        case .reloadManager: "reload the process manager"
        case .start(let names): "start \(names.joined(separator: ", "))"
        case .restart(let names): "restart \(names.joined(separator: ", "))"
        case .reload(let name): "reload \(name)"
        case .startOrReload(let name): "reload \(name) (start it if supervisord's update stopped it)"
        case .endStrays(let strays): "end \(Self.describe(strays)), running outside supervisord"
        }
    }

    /// `pid 4242 (shop-api:shop-api-0), pid 4243 (...)`.
    static func describe(_ strays: [Stray]) -> String {
        strays.map { "pid \($0.pid) (\($0.program))" }.joined(separator: ", ")
    }

    public var summary: String {
        switch self {
        case .commit(let paths): "committed \(paths.count) file\(paths.count == 1 ? "" : "s")"
        case .startManager: "started supervisord"
        case .enableAtBoot(let unit): "enabled \(unit) at boot"
        case .reloadManager: "reloaded the process manager"
        case .start(let names): "started \(names.joined(separator: ", "))"
        case .restart(let names): "restarted \(names.joined(separator: ", "))"
        case .reload(let name): "reloaded \(name)"
        case .startOrReload(let name): "reloaded (or started) \(name)"
        case .endStrays(let strays): "ended \(Self.describe(strays)), left running outside supervisord"
        }
    }
}

/// Decides what activating `tier` on a host takes: put its changed files in place, then start
/// what is not running, restart workers whose files changed, reload servers whose config changed.
/// Nothing changed and everything running gives no action at all.
public enum Activation {
    public static func actions(tier: Tier, plan: HostPlan, changes: HostChanges, state: HostState) -> [Action] {
        let first = plan.tiers.first == tier
        let committed = changes.files.filter { $0.role.tier == tier || (first && $0.role == .manager) }
        var actions: [Action] = []
        if !committed.isEmpty { actions.append(.commit(committed.map(\.path))) }
        let programs = plan.programs(of: tier)
        let units = committed.contains { $0.file.check.isSystemdUnit }
        var managerReloaded = false
        switch plan.host.processManager {
        case .supervisord:
            let boot = plan.topology.supervisorBootUnit
            if first && state.bootsSystemd && (!state.enabled.contains(boot) || committed.contains { $0.file.needsSystemdInit }) {
                actions.append(.enableAtBoot(boot))
            }
            if !state.managerRunning {
                if first { actions.append(.startManager(unit: state.bootsSystemd ? plan.topology.supervisorUnit : nil)) }
                managerReloaded = true
            } else if committed.contains(where: { $0.file.check.isSupervisord }) {
                actions.append(.reloadManager)
                managerReloaded = true
            }
        case .systemd:
            if units { actions.append(.reloadManager) }
        }
        let name = { (p: Program) in ServiceControl.name(p, plan) }
        // Strays hold the programs' ports: ended first, and their programs (re)started after.
        let strays = Strays.find(plan, state).filter { s in programs.contains { name($0) == s.program } }
        let strayed = Set(strays.map(\.program))
        if !strays.isEmpty { actions.append(.endStrays(strays)) }
        switch tier {
        case .workers:
            let changedPools = Set(committed.compactMap { $0.role.tier == .workers ? $0.role.pool : nil })
            let restart = programs.filter {
                (changedPools.contains($0.pool ?? "") || strayed.contains(name($0))) && state.running.contains(name($0)) }
            let start = programs.filter { !restart.contains($0) && (managerReloaded || !state.running.contains(name($0))) }
            if !restart.isEmpty { actions.append(.restart(restart.map(name))) }
            if !start.isEmpty { actions.append(.start(start.map(name))) }
        case .middle, .front:
            guard let program = programs.first else { break }
            let configChanged = committed.contains { $0.role.tier == tier }
            let running = state.running.contains(name(program))
            if managerReloaded && running && configChanged {
                // Left running by the update unless its own section changed: its new config
                // must be loaded either way (a `start` of a running program does nothing).
                actions.append(.startOrReload(name(program)))
            } else if managerReloaded || !running {
                actions.append(.start([name(program)]))
            } else if strayed.contains(name(program)) {
                actions.append(.restart([name(program)]))
            } else if configChanged {
                actions.append(.reload(name(program)))
            }
        }
        return actions
    }

    /// The servers of `tier` (middle, front) on a systemd host that this activation reloads
    /// although their unit changed: a reload loads their config, but systemd applies a unit's
    /// own settings (the open-file limit `max_connections` sets) only when it starts the
    /// program. A restart would apply them, and refuse connections while the server stops and
    /// starts (the front's lone middle, say): `up` says so instead, and `restart` applies them.
    /// `actions`: the ones `actions(tier:plan:changes:state:)` decided for this tier.
    public static func unitsPending(_ actions: [Action], tier: Tier, plan: HostPlan, changes: HostChanges) -> [String] {
        guard plan.host.processManager == .systemd, tier != .workers else { return [] }
        let units = Set(changes.files.compactMap { f -> String? in
            guard f.role.tier == tier, case .systemdUnit(let unit) = f.file.check else { return nil }
            return unit
        })
        return actions.compactMap { if case .reload(let name) = $0, units.contains(name) { name } else { nil } }
    }
}
