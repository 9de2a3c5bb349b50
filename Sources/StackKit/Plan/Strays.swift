/// Programs of the stack that run outside their process manager: left behind when supervisord
/// died (SIGKILL, the OOM killer), they keep their ports and answer probes, and a new supervisord
/// cannot start their replacements. The host lists the stack's processes (`@ps`); this decides
/// which are strays; `up` ends them before starting the programs again, and `down` too.
public struct Stray: Sendable, Equatable {
    /// The program's name for its process manager.
    public var program: String
    public var pid: Int
}

public enum Strays {
    /// One process of the stack as the host listed it.
    public struct Entry: Sendable, Equatable {
        public var pid: Int
        public var parent: Int
        public var command: String
    }

    /// The command lines a program's process may show: its argv, or nginx's retitled master.
    static func commands(_ program: Program) -> [String] {
        let line = program.argv.joined(separator: " ")
        return [line, "nginx: master process " + line]
    }

    /// Each program's processes that supervisord does not run: the topmost process with the
    /// program's command line (a forked child has its parent's) whose parent is not the
    /// supervisord of the pid file. Systemd units keep their processes in their cgroup: none there.
    public static func find(_ plan: HostPlan, _ state: HostState) -> [Stray] {
        guard plan.host.processManager == .supervisord else { return [] }
        let byPid = Dictionary(state.stackProcesses.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [Stray] = []
        for program in plan.programs {
            let lines = commands(program)
            for e in state.stackProcesses where lines.contains(e.command) {
                if let parent = byPid[e.parent], lines.contains(parent.command) { continue }
                if let manager = state.managerPid, e.parent == manager { continue }
                out.append(Stray(program: ServiceControl.name(program, plan), pid: e.pid))
            }
        }
        return out
    }

    /// `@ps PID PPID COMMAND` for each process whose command line names the stack's base, and
    /// `@svpid PID` from supervisord's pid file. One grep over /proc; a test, a read and a `tr` a hit.
    static func list(_ plan: HostPlan) -> ShellCode {
        guard plan.host.processManager == .supervisord else { return "" }
        let t = plan.topology
        return """
        \(functions(plan))stackprocs | while read -r p pp c; do \(ShellCode.emit(.ps, #""$p""#, #""$pp""#, #""$c""#)); done
        [ -f \(t.runDirectory)/supervisord.pid ] && \(ShellCode.emit(.svpid, "\"$(cat \(t.runDirectory)/supervisord.pid)\""))

        """
    }

    /// `stackprocs` prints `PID PPID COMMAND` of the stack's processes; `endstray COMMAND SIGNAL
    /// SECONDS` ends the strays with that command line: the signal, then SIGKILL after SECONDS.
    static func functions(_ plan: HostPlan) -> ShellCode {
        let t = plan.topology
        return """
        stackprocs() {
          for f in $(grep -lsF -e \(t.base + "/") /proc/[0-9]*/cmdline 2>/dev/null); do
            p=${f#/proc/}; p=${p%/cmdline}
            # Another mount namespace is another host (a container, a lab host) with its own stack.
            [ /proc/$p/ns/mnt -ef /proc/$$/ns/mnt ] || continue
            read -r _ _ _ pp _ 2>/dev/null </proc/$p/stat || continue
            c=$(tr '\\0' ' ' 2>/dev/null <$f) || continue
            while [ "${c% }" != "$c" ]; do c=${c% }; done
            printf '%s %s %s\\n' "$p" "$pp" "$c"
          done
        }
        endstray() {
          sv=$(cat \(t.runDirectory)/supervisord.pid 2>/dev/null)
          for p in $(stackprocs | awk -v c="$1" -v sv="${sv:-0}" '
            { line = $0; sub(/^[0-9]+ [0-9]+ /, "", line); cmd[$1] = line; par[$1] = $2 }
            END { for (p in cmd) if ((cmd[p] == c || cmd[p] == "nginx: master process " c) && par[p] != sv && cmd[par[p]] != cmd[p]) print p }'); do
            echo "ending pid $p, which runs outside supervisord: $1"
            kill -s "$2" "$p" 2>/dev/null
            i=0; while [ $i -lt $(($3 * 10)) ] && read -r _ _ st _ 2>/dev/null </proc/$p/stat && [ "$st" != Z ]; do sleep 0.1; i=$((i+1)); done
            kill -s KILL "$p" 2>/dev/null
          done
          return 0
        }

        """
    }
}
