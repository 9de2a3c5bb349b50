extension Scripts {
    static func lockPath(_ t: Topology) -> String { "\(t.base)/.stackctl.lock" }
    static func historyPath(_ t: Topology) -> String { "\(t.base)/history.jsonl" }

    /// Prints the lock's holder line (its first line, at most 4 KiB) as `@held`.
    static func heldLine(_ lock: String) -> ShellCode {
        ShellCode.emit(.held, "\"$(head -c 4096 \(lock) 2>/dev/null | head -n 1)\"")
    }

    /// Takes the stack's lock on this host: the file is created only if it does not exist
    /// (`set -C`: O_EXCL), so of two runs exactly one gets it. `staleToken`: a lock left by a
    /// dead run of this machine, replaced if it is still that one.
    public static func acquireLock(_ t: Topology, _ request: LockRequest) -> HostScript<LockReply> {
        HostScript(.lock, takeLock(t, request), timeout: .seconds(30))
    }

    /// The lock taken (`@acquired`), or its holder printed (`@held`) and the script ended there:
    /// what follows runs only under the lock. The first lines of a run's first script.
    static func takeLock(_ t: Topology, _ request: LockRequest) -> ShellCode {
        let lock = lockPath(t), json = request.holder.json
        var s: ShellCode = "[ -d \(t.base) ] || mkdir -p \(t.base)\n"
        s += "if ( set -C; printf '%s\\n' \(json) > \(lock) ) 2>/dev/null; then \(ShellCode.emit(.acquired))\n"
        if let staleToken = request.staleToken {
            s += "elif \(holds(staleToken, lock)) && printf '%s\\n' \(json) > \(lock + ".new") && mv -f \(lock + ".new") \(lock); "
                + "then \(ShellCode.emit(.acquired))\n"
        }
        return s + "else \(heldLine(lock)); exit 0; fi\n"
    }

    /// Whether the lock's holder line names `token`, read by the shell itself (no grep: this
    /// runs on every host at the end of every run).
    static func holds(_ token: String, _ lock: String) -> ShellCode {
        "{ IFS= read -r held < \(lock); } 2>/dev/null && case \"$held\" in *\(token)*) true ;; *) false ;; esac"
    }

    /// Appends the run's line to the host's history (when the run changed the host), then
    /// removes the lock if it is still this run's; with `keep`, `keep` holds it instead.
    public static func releaseLock(_ t: Topology, token: String, history: String?, keep: LockHolder? = nil) -> HostScript<StepsReply> {
        let lock = lockPath(t)
        var s: ShellCode = ""
        if let history { s += "[ -d \(t.base) ] && printf '%s\\n' \(history) >> \(historyPath(t))\n" }
        if let keep {
            s += "\(holds(token, lock)) && printf '%s\\n' \(keep.json) > \(lock + ".new") && mv -f \(lock + ".new") \(lock)\n"
        } else {
            s += "\(holds(token, lock)) && rm -f \(lock)\n"
        }
        return HostScript(.unlock, s + "exit 0\n", timeout: .seconds(30))
    }

    /// The lock's holder on this host, if any; with `remove`, the lock is removed too.
    public static func showLock(_ t: Topology, remove: Bool = false) -> HostScript<LockReply> {
        let lock = lockPath(t)
        var s: ShellCode = "[ -f \(lock) ] && \(heldLine(lock))\n"
        if remove { s += "rm -f \(lock)\n" }
        return HostScript(.lock, s + "exit 0\n", timeout: .seconds(30))
    }

    /// The last `count` lines of the host's history.
    public static func history(_ t: Topology, count: Int) -> HostScript<HistoryReply> {
        let s: ShellCode = "[ -f \(historyPath(t)) ] && tail -n \(count) \(historyPath(t)) | "
            + "while IFS= read -r line; do \(ShellCode.emit(.history, "\"$line\"")); done\nexit 0\n"
        return HostScript(.history, s, timeout: .seconds(30))
    }
}

/// What a run asks of a host's lock: to take it for `holder`, or to replace a dead run's
/// (`staleToken`) with it.
public struct LockRequest: Sendable, Equatable {
    public var holder: LockHolder
    public var staleToken: String?

    public init(holder: LockHolder, staleToken: String? = nil) {
        self.holder = holder
        self.staleToken = staleToken
    }
}

/// The lock script's answer: taken, or the holder's line as the host has it; `released`: taken,
/// and let go by the same script, which found the host in sync (`Scripts.inspect`).
public struct LockReply: ScriptReply, Equatable {
    public var acquired: Bool
    public var held: String?
    public var released: Bool

    public init(_ output: ScriptOutput) {
        acquired = output.has(.acquired)
        held = output.first(.held)?.fields[0]
        released = acquired && output.has(.released)
    }
}

public struct HistoryReply: ScriptReply, Equatable {
    public var lines: [String]

    public init(_ output: ScriptOutput) { lines = output.all(.history).map { $0.fields[0] } }
}
