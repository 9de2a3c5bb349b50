import Foundation

/// Who runs stackctl, from where: the lock's holder and the history's operator.
public struct RunIdentity: Sendable, Codable, Equatable {
    public var user: String
    public var machine: String
    public var pid: Int32

    public init(user: String, machine: String, pid: Int32) {
        self.user = user
        self.machine = machine
        self.pid = pid
    }

    /// This process: the login name (`SUDO_USER` first, so `sudo stackctl` names the person).
    public static func current() -> RunIdentity {
        let env = ProcessInfo.processInfo.environment
        let user = env["SUDO_USER"] ?? env["USER"] ?? getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
        return RunIdentity(user: user, machine: ProcessInfo.processInfo.hostName, pid: getpid())
    }

    public var name: String { "\(user)@\(machine)" }
}

/// A value kept on a host as one line of JSON, keys sorted (the lock file, the history).
public protocol JSONLine: Codable {}

extension JSONLine {
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// The value, or nil for a line that is not one (cut short, edited by hand).
    public static func parse(_ line: String) -> Self? { try? JSONDecoder().decode(Self.self, from: Data(line.utf8)) }
}

/// The content of a stack's lock file on a host: one JSON line.
public struct LockHolder: Sendable, JSONLine, Equatable {
    public var token: String
    public var user: String
    public var machine: String
    public var pid: Int32
    public var command: String
    /// ISO 8601, UTC.
    public var started: String
    /// The destination the run was given (`-d NAME`), if any.
    public var destination: String? = nil
    /// Set when the lock is a paused rollout's (`rollout --pause`): it outlives the run, and only
    /// `rollout --continue` or `rollback` take it over.
    public var paused: PausedRollout? = nil

    public init(token: String, identity: RunIdentity, command: String, started: Date, destination: String? = nil) {
        self.destination = destination
        self.token = token
        user = identity.user
        machine = identity.machine
        pid = identity.pid
        self.command = command
        self.started = Self.format(started)
    }

    public static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    public var json: String { jsonLine }

    public var summary: String {
        let run = "\(command)\(destination.map { " -d \($0)" } ?? "")"
        if let paused { return "a paused rollout (\(paused.summary)) by \(user)@\(machine) (\(run), since \(started))" }
        return "\(user)@\(machine) (\(run), pid \(pid), since \(started))"
    }

    /// Left by a run of this machine that is gone (killed): the next run may take it over.
    /// A paused rollout's lock is left on purpose: never stale.
    public func isStale(on machine: String, alive: (Int32) -> Bool) -> Bool {
        paused == nil && self.machine == machine && !alive(pid)
    }

    /// Whether a process of this machine is alive (a process we may not signal is alive too).
    public static func processAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}

/// A rollout stopped after its first batch (`rollout --pause`): which pool, the release its
/// canary hosts run, and the batches left for `rollout --continue`.
public struct PausedRollout: Sendable, Codable, Equatable {
    public var pool: String
    public var release: String
    /// The hosts already on `release`, serving.
    public var moved: [String]
    /// The batch sizes for the hosts left (`--batch` as given, its first step taken).
    public var batch: String?

    public init(pool: String, release: String, moved: [String], batch: String? = nil) {
        (self.pool, self.release, self.moved, self.batch) = (pool, release, moved, batch)
    }

    public var summary: String { "pool \(pool) at release \(release) on \(moved.joined(separator: ", "))" }

    /// What an operator does next, for messages.
    public static let next = "'stackctl rollout --continue' promotes it, 'stackctl rollback' ends it"
}
