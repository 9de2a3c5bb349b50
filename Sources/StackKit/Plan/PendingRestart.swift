import Foundation

/// A server a reload left serving under settings only a restart applies (`@pending PROGRAM
/// WHY`): a reload keeps it serving, a restart would drop connections, so `up` leaves the
/// restart to the operator and says so on every run until one happens.
///
/// The reload that leaves it so records it on the host (`record`): the server's pid and start
/// time, so a record outlives the run but not the process (any restart, a reboot, or one by
/// hand ends it); the inspect prints the records whose process still runs (`listed`).
public struct PendingRestart: Sendable, Equatable {
    public enum Cause: Sendable, Equatable {
        /// systemd reloaded the unit's server after its unit changed: the unit's own settings
        /// (its open-file limit) wait for a start.
        case unit
        /// lighttpd keeps HAVE open files where its config asks WANT: it sets its limit once, as
        /// root, when it starts.
        case limit(have: Int, want: Int)
    }

    public var program: String
    public var cause: Cause

    public init(program: String, cause: Cause) {
        self.program = program
        self.cause = cause
    }

    /// `@pending PROGRAM unit` or `@pending PROGRAM limit HAVE WANT`.
    init?(_ m: Marker) {
        let why = m.fields[1].split(separator: " ").map(String.init)
        switch why.first {
        case "unit": cause = .unit
        case "limit":
            guard why.count == 3, let have = Int(why[1]), let want = Int(why[2]) else { return nil }
            cause = .limit(have: have, want: want)
        default: return nil
        }
        program = m.fields[0]
    }

    static func all(_ output: ScriptOutput) -> [PendingRestart] { output.all(.pending).compactMap(PendingRestart.init) }

    /// The ones to say: a unit's settings include its open-file limit, so a program whose unit
    /// waits has that one message, not two.
    public static func said(_ all: [PendingRestart]) -> [PendingRestart] {
        let units = Set(all.filter { $0.cause == .unit }.map(\.program))
        return all.filter { $0.cause == .unit || !units.contains($0.program) }
    }

    /// What `up` and `status` say, `tier` being the server's.
    public func message(_ tier: Tier) -> String {
        let fix = "`stackctl restart \(tier.rawValue)` applies them"
        switch cause {
        case .unit:
            return "\(program) was reloaded, but its unit changed and systemd applies a unit's settings "
                + "(its open-file limit) only when it starts the server: \(fix)"
        case .limit(let have, let want):
            return "\(program) was reloaded, but keeps \(have) open files where its config asks "
                + "\(want) (max_connections): it sets them when it starts, as root: \(fix)"
        }
    }

    // MARK: On the host

    /// Where the records are: one file per program and cause.
    static func directory(_ t: Topology) -> String { t.runDirectory + "/pending" }

    /// The start time of process `$p` (field 22 of its stat; its name, in parentheses, may hold spaces).
    static let startTime: ShellCode = #"$(sed -n 's/^.*) //p' /proc/"$p"/stat 2>/dev/null | cut -d' ' -f20)"#

    /// Records that process `$p` runs `program` under `why` (`unit`, `"limit $have WANT"`).
    static func record(_ program: String, _ kind: String, why: ShellCode, _ t: Topology) -> ShellCode {
        let dir = directory(t), file = dir + "/" + program + "." + kind
        return "[ -n \"$p\" ] && mkdir -p \(dir) && printf '%s\\n' \"$p \(startTime) \(inDoubleQuotes: program) \"\(why) > \(file)\n"
    }

    /// Forgets `program`'s record of `kind`: the cause is gone.
    static func forget(_ program: String, _ kind: String, _ t: Topology) -> ShellCode {
        "rm -f \(directory(t) + "/" + program + "." + kind)\n"
    }

    /// Each record (of `program`, or of every program) whose process still runs, as `@pending`:
    /// the inspect's lines, and a reload's after it recorded what it left. Nothing is removed
    /// here (`status` reads them too, and changes nothing).
    static func listed(_ t: Topology, program: String? = nil) -> ShellCode {
        let glob: ShellCode = program.map { "\(directory(t) + "/" + $0).*" } ?? "\(directory(t))/*"
        let code: ShellCode = """
        for f in \(glob); do [ -f "$f" ] && read -r p st rest < "$f" && [ -n "$st" ] \
        && [ "\(startTime)" = "$st" ] && printf '\(prefix: .pending) %s\\n' "$rest" || continue; done

        """
        return code.printing(.pending)
    }
}
