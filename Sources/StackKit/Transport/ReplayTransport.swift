import Foundation
import Synchronization

/// Answers each command with a recorded host's reply to the same label (the first command of a
/// label gets the first reply, and so on; past the last, the last again), with the recorded
/// host's words put in this host's: its name, its address, and each file hash it had rendered
/// by the hash rendered for this host (a file that matched still matches). Nothing leaves the
/// machine: for measuring the controller's own cost on fleets no lab holds.
public final class ReplayTransport: Transport {
    public let hostName: String
    private let prototype: Recording.RecordedHost
    private let words: [(String, String)]
    private let hashes: [String: String]
    private let asked = Mutex<[String: Int]>([:])

    /// `rendered`: `PATH: SHA256` of this host's files, as `Recording.RecordedHost.rendered`.
    public init(hostName: String, address: String, rendered: [String: String], prototype: Recording.RecordedHost) {
        self.hostName = hostName
        self.prototype = prototype
        words = [(prototype.name, hostName), (prototype.address, address)].filter { $0.0 != $0.1 }
        var hashes: [String: String] = [:]
        for (path, old) in prototype.rendered { if let new = rendered[path] { hashes[old] = new } }
        self.hashes = hashes
    }

    public func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput {
        let n = asked.withLock { counts in
            defer { counts[command.label, default: 0] += 1 }
            return counts[command.label, default: 0]
        }
        let replies = prototype.replies.filter { $0.label == command.label }
        guard let reply = n < replies.count ? replies[n] : replies.last else {
            throw .cannotRun(host: hostName, command: command.label,
                             message: "the recording of \(prototype.name) has no reply to '\(command.label)'")
        }
        return CommandOutput(status: reply.status, stdout: Array(translate(reply.stdout).utf8), stderr: Array(translate(reply.stderr).utf8))
    }

    public func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32 {
        let out = try await run(command)
        for l in out.stdoutText.split(separator: "\n") { line(String(l)) }
        return out.status
    }

    public func shutdown() async {}

    /// The recorded text in this host's words: whole words only (`h3` is not a part of `h30`,
    /// nor `127.0.0.1` of `127.0.0.13`).
    func translate(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var word = ""
        func flush() {
            if let hash = hashes[word] { out += hash } else if let swap = words.first(where: { $0.0 == word }) { out += swap.1 } else { out += word }
            word = ""
        }
        for c in text {
            if c.isLetter || c.isNumber || c == "." || c == "-" || c == "_" { word.append(c) } else {
                flush()
                out.append(c)
            }
        }
        flush()
        return out
    }
}
