/// A program's state as its process manager names it (supervisord's `running`, `backoff`,
/// `fatal`...; systemd's `ACTIVE/SUB` such as `failed/failed`), with what the engine reads
/// from it decided here rather than by comparing text where it is used.
public struct ProcessState: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The manager's own word, as status prints it.
    public var word: String

    public init(_ word: String) { self.word = word }
    public init(stringLiteral word: String) { self.word = word }

    public var description: String { word }

    /// Serving, or on its way: supervisord's running (and starting), systemd's active.
    public var isRunning: Bool { word == "running" }

    /// Stopped on purpose (by stackctl or a person), or never started: its last log line is an
    /// earlier run's and explains nothing.
    public var stoppedOnPurpose: Bool { word == "stopped" || word == "not started" }

    /// A state the program will not leave by itself: supervisord's backoff (it died while
    /// starting), fatal, exited and stopped; systemd's failed, inactive and auto-restart after
    /// an attempt of its own failed (`restart-pending`, before the first, is not: the unit will
    /// try again, and that attempt says why).
    public var hasExited: Bool {
        ["backoff", "fatal", "exited", "stopped", "masked"].contains(word) || word.hasPrefix("failed") || word.hasPrefix("inactive")
            || word == "activating/auto-restart"
    }
}

/// How a failed systemd unit's last run ended (`@unitend`), for status to say why it stays down.
public struct UnitEnd: Sendable, Equatable {
    /// systemd's Result: `start-limit-hit`, `signal`, `exit-code`, `core-dump`, `timeout`...
    public var result: String
    /// ExecMainCode (1 exited, 2 killed, 3 dumped core) and ExecMainStatus (exit status or signal).
    public var code: Int
    public var status: Int
    /// StartLimitBurst starts in StartLimitIntervalUSec (as systemctl prints it: `10s`).
    public var burst: Int
    public var interval: String
    /// NRestarts: the automatic restarts since it was last started on purpose.
    public var restarts: Int

    public init(result: String, code: Int, status: Int, burst: Int, interval: String, restarts: Int) {
        (self.result, self.code, self.status, self.burst, self.interval, self.restarts) = (result, code, status, burst, interval, restarts)
    }

    init(_ fields: [String]) {
        self.init(result: fields[1], code: Int(fields[2]) ?? 0, status: Int(fields[3]) ?? 0, burst: Int(fields[4]) ?? 0, interval: fields[5],
                  restarts: Int(fields[6]) ?? 0)
    }

    /// Every stackctl unit has Restart=on-failure: one that failed after restarts is one systemd
    /// stopped restarting, at its start limit. systemd keeps the first failure's Result
    /// (`signal`, say), so `start-limit-hit` shows only where the unit had not failed before.
    public var startLimitHit: Bool { result == "start-limit-hit" || restarts > 0 }

    /// `killed by SIGKILL`, `exited with status 1`, `dumped core on SIGSEGV`.
    public var how: String? {
        switch code {
        case 1: "exited with status \(status)"
        case 2: "killed by \(Self.signal(status))"
        case 3: "dumped core on \(Self.signal(status))"
        default: nil
        }
    }

    static func signal(_ n: Int) -> String {
        let names = [1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL", 10: "USR1", 11: "SEGV",
                     12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM"]
        return names[n].map { "SIG" + $0 } ?? "signal \(n)"
    }

    /// What status says of a unit systemd stopped restarting. A program that exited with a status
    /// most likely said why as it went (an app that cannot import): its `lastLine` is quoted; one
    /// killed by a signal did not, and its last line is from when it served.
    public func why(unit: String, lastLine: String? = nil) -> String? {
        guard startLimitHit else { return nil }
        let said = code == 1 ? lastLine.map { "; its last log line: \(Probe.snippet($0, limit: 300))" } ?? "" : ""
        return "systemd stopped restarting it: it was \(how ?? "ended") and hit its start limit (\(burst) starts in \(interval))\(said); "
            + "`systemctl reset-failed \(unit)` resets the limit, and `stackctl up` does that and starts it"
    }
}
