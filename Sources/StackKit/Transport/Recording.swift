import Foundation
import Synchronization

/// Every host's replies to one run, in the order each label was asked, for `ReplayTransport`
/// to answer a larger fleet with (the controller's own cost measured past the lab).
public struct Recording: Codable, Sendable, Equatable {
    public struct Reply: Codable, Sendable, Equatable {
        public var label: String
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public struct RecordedHost: Codable, Sendable, Equatable {
        public var name: String
        public var address: String
        /// The tiers the host ran (`Tier.rawValue`), to pick a prototype for a replayed host.
        public var tiers: [String]
        /// `PATH: SHA256` of each file stackctl rendered for the host when it was recorded.
        public var rendered: [String: String]
        public var replies: [Reply]
    }

    public var hosts: [RecordedHost]

    public init(hosts: [RecordedHost]) { self.hosts = hosts }

    public static func load(_ path: String) throws -> Recording {
        try JSONDecoder().decode(Recording.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    /// The recorded host a host with these tiers replays: the `index`-th of those with the same
    /// tiers, round robin.
    public func prototype(tiers: [String], index: Int) -> RecordedHost? {
        let alike = hosts.filter { $0.tiers == tiers }
        return alike.isEmpty ? nil : alike[index % alike.count]
    }
}

/// A transport that passes each command on and keeps its reply in the host's recording.
public final class RecordingTransport: Transport {
    public let inner: any Transport
    private let replies = Mutex<[Recording.Reply]>([])

    public init(_ inner: any Transport) { self.inner = inner }

    public var hostName: String { inner.hostName }
    public var recorded: [Recording.Reply] { replies.withLock { $0 } }

    public func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput {
        let out = try await inner.run(command)
        let reply = Recording.Reply(label: command.label, status: out.status, stdout: out.stdoutText, stderr: out.stderrText)
        replies.withLock { $0.append(reply) }
        return out
    }

    public func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32 {
        let lines = Mutex<[String]>([])
        let status = try await inner.follow(command) { l in
            lines.withLock { $0.append(l) }
            line(l)
        }
        let stdout = lines.withLock { $0.map { $0 + "\n" }.joined() }
        replies.withLock { $0.append(Recording.Reply(label: command.label, status: status, stdout: stdout, stderr: "")) }
        return status
    }

    public func attach(_ command: RemoteCommand, tty: Bool) async throws(TransportError) -> Int32 {
        try await inner.attach(command, tty: tty)
    }

    public func shutdown() async { await inner.shutdown() }
}
