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
