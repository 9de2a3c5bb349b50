/// One line a host script prints for the engine: `@TAG FIELD...`. The scripts write them with
/// `ShellCode.emit` (and the embedded Python helpers with the same tags); every reader parses
/// them here. Output of the commands a script runs is indented `| ` under the marker it
/// belongs to, so it can never be taken for a marker.
public struct Marker: Sendable, Equatable {
    public enum Tag: String, Sendable, CaseIterable {
        /// A step of a script succeeded / failed (`LABEL` or `LABEL (exit N)`), command output under it.
        case ok, fail
        /// A staged file passed / failed its server's check (`PATH`), the checker's output under it.
        case valid, invalid
        /// `SHA256 MODE:OWNER:GROUP PATH` of a managed file; `MODE:OWNER:GROUP PATH` of a directory.
        case file, dir
        /// `up|down`: the host's process manager; `NAME`: a program that runs.
        case manager, running
        /// `systemd` when the host boots with systemd; `UNIT`: a boot unit of a supervisord stack that is enabled.
        case initSystem = "init", enabled
        /// `POOL ID`: the release a pool's `current` link points at, and the one recorded before it.
        case release, previous
        /// `PATH RESOLVED`: a directory the middle serves or must not serve, as the host resolves it.
        case resolved
        /// `PATH` of a file whose contents follow under it, base64-encoded.
        case content
        /// The stack's lock: taken by this run; or `LINE`, its holder's JSON line; a `LINE` of history;
        /// let go again by an inspect that found the host in sync (`released`).
        case acquired, held, history, released
        /// `BASE64`: the probe relay's answers (`Relay.decode`), when the inspect probed ahead.
        case probes
        /// The end of a stage, activate or down script.
        case staged, activated, stopped
        /// Status: `NAME STATE PID UPTIME`; `MODE:OWNER:GROUP PATH` of a socket; `PATH` of a missing
        /// one; `USER GROUPS...`; `TIER LINE` of a server's error log; `NAME LINE`, a program's last line;
        /// `NAME TEXT`, why supervisord could not spawn a program; `EPOCH LOCALTIME`, the host's clock;
        /// `PATH ok|missing|unwritable MODE:OWNER:GROUP` of a pool's data directory.
        case proc, sock, nosock, groups, log, plog, spawnerr, clock, data
        /// `PROGRAM WHY`: a server left serving under settings only a restart applies (`PendingRestart`):
        /// WHY is `unit` or `limit HAVE WANT`. Activate: the reload just did; inspect: one did, and
        /// the same process still runs.
        case pending
        /// `PID PPID COMMAND` of a process whose command line names the stack's base (`Strays`);
        /// `PID` in supervisord's pid file.
        case ps, svpid
        /// `UNIT RESULT CODE STATUS BURST INTERVAL RESTARTS` of a failed unit: systemd's Result, how
        /// its main process ended (ExecMainCode, ExecMainStatus), its start limit and NRestarts.
        case unitEnd = "unitend"
        /// `on JSON` of a front host in maintenance (`MaintenanceState`), or `off`.
        case maint
        /// `WORKER COUNT`: requests the middle sent a worker (lighttpd's backend name, nginx's
        /// upstream address) while a rollout is paused (`CanaryTraffic`).
        case served
        /// `EPOCH ok JSON`: mod_md's status of a front host's managed domains, one line (`ACMEReply`);
        /// `EPOCH error WHY` when it could not be read.
        case acme
        /// `POOL HASH`: a virtualenv ready on the host (`venvs/HASH`).
        case venvs
        /// Check: `ok URL` when the ACME directory answers from this host, `error WHY` when not.
        case ca
        /// Check: `NAME UID` of the login; `PATH [VERSION]` of a binary found, `PATH` of one missing;
        /// `FILE` of an Apache module missing; `POOL VERSION` of flup in a pool's interpreter, or
        /// `POOL WHY` when it cannot be imported; `ok|missing` for python3's venv; `PORT ADDRESS PID
        /// COMMAND` of a listener on a port the host needs; `PATH KB` free; `LIMIT SOURCE` of open files.
        case user, bin, nobin, nomod, flup, noflup, venv, port, disk, nofile
        /// Releases: `ID [already]`; `OLD NEW`; `TICKS` until drained; `OPEN` connections left; `KIND NAME`.
        case prepared, switched, drained, drainTimeout = "drain-timeout", pruned

        /// How the tag starts its line: `@TAG`.
        public var prefix: String { "@" + rawValue }

        /// A printf format that prints the tag with `fields` fields: `@TAG %s %s\n`. The one
        /// way every script, awk program and stat format writes a marker.
        public func format(_ fields: Int) -> String { prefix + String(repeating: " %s", count: fields) + "\\n" }

        /// How many fields the tag takes; the last one takes the rest of the line, spaces and all.
        public var arity: ClosedRange<Int> {
            switch self {
            case .staged, .activated, .stopped, .acquired, .released: 0...0
            case .ok, .fail, .valid, .invalid, .content, .held, .history, .probes, .manager, .running, .initSystem, .enabled, .nosock,
                 .drained, .drainTimeout, .svpid: 1...1
            case .nobin, .nomod, .venv: 1...1
            case .bin: 1...2
            case .user, .flup, .noflup, .disk, .nofile: 2...2
            case .port: 4...4
            case .prepared: 1...2
            case .maint: 1...2
            case .pending, .dir, .release, .previous, .resolved, .sock, .groups, .log, .plog, .spawnerr, .clock, .switched, .pruned, .data, .served: 2...2
            case .file, .ps: 3...3
            case .acme: 3...3
            case .ca, .venvs: 2...2
            case .unitEnd: 7...7
            case .proc: 4...4
            }
        }
    }

    public var tag: Tag
    public var fields: [String]
    /// The `| ` lines printed under it, without the indent.
    public var detail: [String] = []

    public init(_ tag: Tag, _ fields: [String], detail: [String] = []) {
        self.tag = tag
        self.fields = fields
        self.detail = detail
    }

    /// The marker on one line, or nil for any other line (or a marker with too few fields).
    public static func parse(_ line: Substring) -> Marker? {
        guard line.first == "@" else { return nil }
        let name = line.dropFirst().prefix { $0 != " " }
        guard let tag = Tag(rawValue: String(name)) else { return nil }
        let rest = line.dropFirst(1 + name.count)
        let arity = tag.arity
        if arity.upperBound == 0 { return rest.isEmpty ? Marker(tag, []) : nil }
        guard rest.first == " " else { return nil }
        let fields = rest.dropFirst().split(separator: " ", maxSplits: arity.upperBound - 1, omittingEmptySubsequences: false).map(String.init)
        return arity.contains(fields.count) ? Marker(tag, fields) : nil
    }

    /// The line as a script prints it.
    public var line: String { (["@" + tag.rawValue] + fields).joined(separator: " ") }
}

/// One line a host script printed: a marker, a line of a command's output under the marker
/// before it (`| TEXT`), or anything else (ignored). The one place host lines are told apart,
/// for whole outputs (`ScriptOutput`) and streamed ones (the release command's) alike.
public enum ScriptLine: Sendable, Equatable {
    case marker(Marker)
    case output(String)
    case other

    public init<S: StringProtocol>(_ line: S) where S.SubSequence == Substring {
        if let m = Marker.parse(line[...]) {
            self = .marker(m)
        } else if line.hasPrefix("| ") {
            self = .output(String(line.dropFirst(2)))
        } else {
            self = .other
        }
    }
}

/// Everything a host script printed, as markers in order.
public struct ScriptOutput: Sendable, Equatable {
    public var markers: [Marker]

    public init(_ text: String) {
        var markers: [Marker] = []
        for line in text.split(separator: "\n") {
            switch ScriptLine(line) {
            case .marker(let m): markers.append(m)
            case .output(let text) where !markers.isEmpty: markers[markers.count - 1].detail.append(text)
            default: break
            }
        }
        self.markers = markers
    }

    public func all(_ tag: Marker.Tag) -> [Marker] { markers.filter { $0.tag == tag } }
    public func first(_ tag: Marker.Tag) -> Marker? { markers.first { $0.tag == tag } }
    public func has(_ tag: Marker.Tag) -> Bool { first(tag) != nil }

    /// The first failed step or refused file, with up to 12 lines of the output under it.
    public var failure: String? {
        guard let m = markers.first(where: { $0.tag == .fail || $0.tag == .invalid }) else { return nil }
        let head = m.tag == .invalid ? "\(m.fields[0]) is invalid" : m.fields[0]
        let detail = m.detail.prefix(12).joined(separator: "\n  ")
        return detail.isEmpty ? head : "\(head):\n  \(detail)"
    }
}
