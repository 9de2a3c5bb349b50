/// The phases stackctl runs on a host, each one script (or, for `probe`, the relay). A phase
/// names the markers its script may print; `HostScript<Reply>` says what the engine reads back.
public enum HostPhase: String, Sendable, CaseIterable {
    /// Hashes and ownership of managed files, running programs, releases (`HostState`); a run's
    /// lock taken first, and probes asked last: `InspectReply`.
    case inspect
    /// Staged files and their servers' checks: `StageReply`.
    case stage
    /// Staged files put in place, programs started, restarted or reloaded: `StepsReply`.
    case activate
    /// The middle tier re-rendered with hosts drained or put back, checked and reloaded: `StepsReply`.
    case reloadMiddle = "reload-middle"
    /// Staged files removed after another host refused its config: `StepsReply`.
    case cleanup
    /// Maintenance mode switched on or off at a front host, or read: `MaintenanceReply`.
    case maintenance
    /// A tier's programs stopped: `StepsReply`.
    case down
    /// Everything `status` reads from a host: `HostStatusFacts`.
    case status
    /// What the host has of what its tiers need: `CheckReply`.
    case check
    /// The state of the host's programs, while a health gate waits: `HostStatusFacts`.
    case states
    /// A release unpacked with its virtualenv: `PrepareReply`.
    case prepare
    /// A shipped static directory's release unpacked, served together with the one before it: `SwitchReply`.
    case staticRelease = "static"
    /// A pool's release_command run in a new release, its output streamed: `StepsReply`.
    case releaseHook = "release-hook"
    /// A pool's `current` link switched and its workers restarted: `SwitchReply`.
    case switchRelease = "switch"
    /// Wait until no connection to drained workers is open: `DrainReply`.
    case drainWait = "drain-wait"
    /// The contents of files `plan` would change: `ContentsReply`.
    case fetch
    /// The stack's deploy lock taken, or its holder shown: `LockReply`.
    case lock
    /// The run's history line appended and its lock released: `StepsReply`.
    case unlock
    /// The last lines of the host's history: `HistoryReply`.
    case history
    /// mod_md's status of a front host's managed domains (ACME certificates): `ACMEReply`.
    case acme
    /// Byte exchanges through the probe relay (`Relay`, whose label this is), not a script.
    case probe = "probe"
    /// A plain command.
    case command

    /// The marker a script of this phase prints last: without it, the script did not run to its
    /// end (its output was cut short), whatever its exit status.
    public var endMarker: Marker.Tag? {
        switch self {
        case .stage: .staged
        case .activate, .reloadMiddle: .activated
        case .down: .stopped
        default: nil
        }
    }

    static let checkMarkers: Set<Marker.Tag> = [.user, .bin, .nobin, .nomod, .flup, .noflup, .venv, .port, .disk, .nofile, .initSystem, .ca]

    /// The marker tags the phase's script may print.
    public var markers: Set<Marker.Tag> {
        switch self {
        case .inspect: HostPhase.checkMarkers.union([.file, .dir, .manager, .running, .initSystem, .enabled, .release, .previous, .venvs, .resolved,
            .acquired, .held, .released, .probes, .ps, .svpid, .pending])
        case .check: HostPhase.checkMarkers
        case .stage: [.ok, .fail, .valid, .invalid, .staged]
        case .activate: [.ok, .fail, .activated, .probes, .pending]
        case .reloadMiddle: [.ok, .fail, .valid, .invalid, .activated, .pending]
        case .cleanup: []
        case .down: [.ok, .fail, .stopped]
        case .status: [.file, .dir, .manager, .running, .initSystem, .enabled, .release, .previous, .venvs, .proc, .spawnerr, .sock, .nosock,
            .groups, .clock, .log, .plog, .data, .ps, .svpid, .unitEnd, .maint, .held, .served, .acme, .pending]
        case .states: [.proc, .spawnerr, .unitEnd]
        case .prepare: [.ok, .fail, .prepared]
        case .releaseHook: [.ok, .fail]
        case .staticRelease: [.ok, .fail, .switched]
        case .switchRelease: [.ok, .fail, .switched, .drained, .drainTimeout, .probes, .pruned]
        case .drainWait: [.drained, .drainTimeout]
        case .fetch: [.content]
        case .lock: [.acquired, .held]
        case .unlock: []
        case .history: [.history]
        case .acme: [.acme]
        case .maintenance: [.ok, .fail, .maint]
        case .probe, .command: []
        }
    }
}

/// What the engine reads back from a phase's script.
public protocol ScriptReply: Sendable {
    init(_ output: ScriptOutput)
}

/// One phase's script for one host: `sh -s` reads it on standard input.
public struct HostScript<Reply: ScriptReply>: Sendable {
    public let phase: HostPhase
    public let code: ShellCode
    public var timeout: Duration

    init(_ phase: HostPhase, _ body: ShellCode, timeout: Duration = .seconds(300)) {
        self.phase = phase
        code = Scripts.prelude.definitions + body
        self.timeout = timeout
    }

    public var text: String { code.text }

    public var command: RemoteCommand {
        RemoteCommand(["sh", "-s"], stdin: Array(code.text.utf8), timeout: timeout, phase: phase)
    }
}

/// A command's label read as the phase it belongs to: the transport carries the name, Plan
/// knows what it means (a label no phase has is a plain `command`).
extension RemoteCommand {
    public var phase: HostPhase { HostPhase(rawValue: label) ?? .command }

    public init(_ argv: [String], stdin: [UInt8] = [], timeout: Duration = .seconds(120), phase: HostPhase) {
        self.init(argv, stdin: stdin, timeout: timeout, label: phase.rawValue)
    }
}
