/// stackctl's exit statuses: one meaning per number, the same in every command.
public enum ExitStatus: Int32, Sendable, Codable, CaseIterable {
    case ok = 0
    case invalidManifest = 1
    case changesPending = 2
    case unreachable = 3
    case refused = 4
    case unhealthy = 5
    case hostCommandFailed = 6
    case releaseFailed = 7
    case degraded = 8
    case noPreviousRelease = 9
    case locked = 10
    case notReady = 11
    case hookFailed = 12
    case usage = 64
    case cannotRead = 66
    case cannotWrite = 73
    case interrupted = 130
    case terminated = 143

    /// What the number means, as the README's table says it.
    public var meaning: String {
        switch self {
        case .ok: "done; valid; every instance healthy"
        case .invalidManifest: "the manifest is invalid (every problem printed with its position)"
        case .changesPending: "plan: `up` would change something (shown per host); nothing was changed"
        case .unreachable: "a host is unreachable (up and down change nothing then)"
        case .refused: "a host refused the new files: its server's own check, staging them, or a static directory that resolves into code "
            + "there (nothing changed)"
        case .unhealthy: "unhealthy: a health gate failed (a rolled-out host is switched back), or status finds a tier with no healthy instance"
        case .hostCommandFailed: "a command failed on a host"
        case .releaseFailed: "a release could not be built or prepared (no traffic moved)"
        case .degraded: "degraded: status finds some instances unhealthy or slow, or a server waiting for a restart, every tier still serving; "
            + "up finished but an instance "
            + "answers slower than its `health.slow`, the front's certificate has expired or is not for the site's name, "
            + "or a reloaded server waits for a restart (its changed unit, or lighttpd's open-file limit)"
        case .noPreviousRelease: "rollback: a host has no previous release to go back to"
        case .locked: "another run holds the stack's deploy lock (its holder is named; nothing was changed)"
        case .hookFailed: "a pre-connect, pre-deploy or pre-rollout hook in .stackctl/hooks failed (its output shown; nothing was changed)"
        case .notReady: "a host lacks what the stack needs (each thing named, with the apt-get line that installs it; nothing was changed)"
        case .usage: "usage: a bad option, or a pool or host the manifest does not have"
        case .cannotRead: "the manifest cannot be read"
        case .cannotWrite: "an output cannot be written (render's directory; init will not overwrite a file)"
        case .interrupted: "stopped by SIGINT (Ctrl-C) at a safe point: staged files removed, drained hosts put back, lock released"
        case .terminated: "stopped by SIGTERM, the same way"
        }
    }
}

extension ExitStatus {
    /// The statuses every command that reads a manifest can end with.
    public static let manifest: [ExitStatus] = [.invalidManifest, .usage, .cannotRead]

    /// `Exit status:` and one line per status, for a command's help.
    public static func help(_ statuses: [ExitStatus]) -> String {
        "Exit status:\n" + Set(statuses + [.ok]).sorted { $0.rawValue < $1.rawValue }.map { String(repeating: " ",
            count: 4 - String($0.rawValue).count) + "\($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }
}
