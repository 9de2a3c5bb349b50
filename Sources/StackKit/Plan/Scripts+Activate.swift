import Foundation

extension Scripts {
    /// Puts a tier's staged files in place (rename: atomic) and runs its process-manager actions.
    /// With `probes`, the tier's health checks are asked once its programs are up, each again
    /// while it refuses, for up to `wait` seconds (`StepsReply.probes`).
    public static func activate(_ actions: [Action], _ plan: HostPlan, _ changes: HostChanges, probes: [Relay.Exchange] = [],
        wait: Double = 0) -> HostScript<StepsReply> {
        // The end marker comes before the probes: a run asked to stop may leave their answers.
        if let last = actions.last, let argv = controlArgv(last, plan), !probes.isEmpty,
           let step = relayed(last.summary, argv, plan, probes, wait: wait, saying: Marker.Tag.activated.prefix + "\n") {
            return HostScript(.activate, activateBody(actions.dropLast(), plan, changes) + step.printing(.activated))
        }
        let ask: ShellCode = probes.isEmpty ? "" : relay(probes, plan, wait: wait) + " || true\n"
        return HostScript(.activate, activateBody(actions, plan, changes) + ShellCode.emit(.activated) + "\n" + ask)
    }

    /// The one supervisord control run that starts or restarts programs for `action`, if it is one.
    static func controlArgv(_ action: Action, _ plan: HostPlan) -> [String]? {
        guard plan.host.processManager == .supervisord else { return nil }
        switch action {
        case .start, .restart:
            let argv = ServiceControl.argv(action, plan)
            return argv.count == 1 ? argv[0] : nil
        default: return nil
        }
    }

    /// A step (`run LABEL ARGV`) that is a supervisord control run, with the probe relay run in
    /// its interpreter once it is done (one Python start, not two): the step's `@ok` and then
    /// `saying` come first on the script's output, then the relay's answers. Nil where the relay
    /// needs another interpreter.
    static func relayed(_ label: String, _ argv: [String], _ plan: HostPlan, _ probes: [Relay.Exchange], wait: Double,
                        saying: String = "") -> ShellCode? {
        guard relaysWithStatus(plan) else { return nil }
        let relayed = argv + controlRelay(probes, wait: wait)
        let say = Marker.Tag.ok.prefix + " " + label + "\n" + saying
        let code: ShellCode = """
        exec 7>&1; label=\(label)
        if out=$(STACKCTL_SAY=\(say) \(relayed) 2>&1); then show "$out"
        else rc=$?; \(ShellCode.emit(.fail, #""$label (exit $rc)""#)); show "$out"; exit 1; fi

        """
        return code.printing(.ok, .probes)
    }

    /// Stages and checks `changes`, then activates them, in one round trip (the middle tier being
    /// drained or put back during a rollout).
    public static func reloadMiddle(_ actions: [Action], _ plan: HostPlan, _ changes: HostChanges) -> HostScript<StepsReply> {
        HostScript(.reloadMiddle, stageBody(plan, changes) + activateBody(actions, plan, changes) + ShellCode.emit(.activated) + "\n")
    }

    static func activateBody(_ actions: some Collection<Action>, _ plan: HostPlan, _ changes: HostChanges) -> ShellCode {
        var s: ShellCode = ""
        for action in actions {
            switch action {
            case .commit(let paths):
                for path in paths {
                    guard let f = changes.files.first(where: { $0.path == path }) else { continue }
                    s += ShellCode.step("commit " + path, ["mv", "-f", f.stagedPath, path]) + "\n"
                }
            case .startManager:
                s += "\(ShellCode.step("start supervisord", ServiceControl.argv(action, plan)[0]))\n"
                // Its socket first; its first caller after this waits until it answers there.
                s += """
                i=0; until [ -S \(plan.topology.supervisorSocketPath) ]; do i=$((i+1)); [ $i -gt 200 ] && { \(ShellCode.emit(.fail, "'supervisord did not come up'")); exit 1; }; sleep 0.05; done
                STACKCTL_SUPERVISOR_WAIT=10; export STACKCTL_SUPERVISOR_WAIT

                """
            case .startOrReload(let name) where plan.host.processManager == .supervisord:
                let running = ServiceControl.supervisor(plan, ["status", name])
                let line: String = Marker.Tag.running.prefix + " " + name
                var reload: ShellCode = "", start: ShellCode = ""
                for argv in ServiceControl.argv(.reload(name), plan) { reload += ShellCode.step(Action.reload(name).summary, argv) + "\n" }
                for argv in ServiceControl.argv(.start([name]), plan) { start += ShellCode.step(Action.start([name]).summary, argv) + "\n" }
                s += "if \(running) 2>/dev/null | grep -qxF \(line); then\n" as ShellCode
                s += reload + "else\n" + start + "fi\n" + pendingAfterReload(name, plan, changes)
            case .reload(let name):
                for argv in ServiceControl.argv(action, plan) { s += ShellCode.step(action.summary, argv) + "\n" }
                s += pendingAfterReload(name, plan, changes)
            case .endStrays(let strays):
                s += Strays.functions(plan)
                for program in plan.programs where strays.contains(where: { $0.program == ServiceControl.name(program, plan) }) {
                    let end = ["endstray", program.argv.joined(separator: " "), program.stopSignal, String(program.stopSeconds)]
                    s += ShellCode.step("end " + ServiceControl.name(program, plan) + " outside supervisord", end) + "\n"
                }
            default:
                for argv in ServiceControl.argv(action, plan) { s += ShellCode.step(action.summary, argv) + "\n" }
            }
        }
        return s
    }

    /// After a reload of `name`, what it waits for (`PendingRestart`), recorded, then every
    /// record of its process said (an earlier run's too): on a systemd host, a unit committed in
    /// this activation (systemd applies a unit's settings when it starts the server); for the
    /// lighttpd middle, an open-file limit under its config's `server.max-fds` (lighttpd sets it
    /// once, as root, when it starts, then runs as its user).
    static func pendingAfterReload(_ name: String, _ plan: HostPlan, _ changes: HostChanges) -> ShellCode {
        let t = plan.topology
        guard let program = plan.programs.first(where: { ServiceControl.name($0, plan) == name }), program.tier != .workers else { return "" }
        var s: ShellCode = ""
        if !Activation.unitsPending([.reload(name)], tier: program.tier, plan: plan, changes: changes).isEmpty {
            s += "p=$(systemctl show -p MainPID --value \(name) 2>/dev/null); " + PendingRestart.record(name, "unit", why: "unit", t)
        }
        if t.manifest.middle.server == .lighttpd, program.tier == .middle, let want = program.openFiles {
            s += """
            p=$(cat \(t.runDirectory + "/lighttpd.pid") 2>/dev/null); have=$(awk '/^Max open files/ { print $4 }' /proc/"$p"/limits 2>/dev/null)
            case "$have" in ''|*[!0-9]*) ;; *) if [ "$have" -lt \(want) ]; then \(PendingRestart.record(name, "limit", why: "\"limit $have \(want)\"", t))
              else \(PendingRestart.forget(name, "limit", t))fi ;; esac

            """
        }
        return s + PendingRestart.listed(t, program: name)
    }

    /// Removes staged files after another host failed validation.
    public static func cleanup(_ changes: HostChanges) -> HostScript<StepsReply> {
        HostScript(.cleanup, "\(["rm", "-f"] + changes.files.map(\.stagedPath))\n")
    }

    /// Stops a tier's programs; after the workers, stops the host's supervisord too (and disables
    /// its boot unit where there is one).
    public static func down(_ tier: Tier, _ plan: HostPlan, last: Bool) -> HostScript<StepsReply> {
        let stopped = ShellCode.emit(.stopped)
        var s: ShellCode = ""
        if plan.host.processManager == .supervisord {
            // A stack that is down stays down across a reboot.
            let boot = plan.topology.systemdUnitPath(plan.topology.supervisorBootUnit)
            if last { s += "[ -f \(boot) ] && systemctl disable --quiet \(plan.topology.supervisorBootUnit) 2>/dev/null\n" }
            // Never deployed: nothing runs. supervisord gone: only its strays may.
            s += "[ -f \(plan.topology.supervisorConfigPath) ] || { \(stopped); exit 0; }\n"
            s += "if \(ServiceControl.supervisor(plan, ["status"])) >/dev/null 2>&1; then :\n"
        }
        for argv in ServiceControl.stop(tier, plan) { s += "\(ShellCode.step("stop " + tier.rawValue, argv))\n" }
        guard plan.host.processManager == .supervisord else { return HostScript(.down, s + stopped + "\n") }
        if last { s += "\(ShellCode.step("stop supervisord", ServiceControl.supervisor(plan, ["shutdown"])))\n" }
        s += "fi\n" + Strays.functions(plan)
        for program in plan.programs(of: tier) {
            let name = ServiceControl.name(program, plan)
            let end: ShellCode = "endstray \([program.argv.joined(separator: " "), program.stopSignal, String(program.stopSeconds)])"
            s += "o=$(\(end)); [ -z \"$o\" ] || { \(ShellCode.emit(.ok, "\("ended " + name + " outside supervisord")")); show \"$o\"; }\n"
        }
        return HostScript(.down, s + stopped + "\n")
    }
}
