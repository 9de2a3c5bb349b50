import Foundation

/// A script whose steps either all succeeded or stopped at the first `@fail` (a reply exists
/// only for a script that reached its phase's end marker: `HostRunner.execute` sees to that).
public struct StepsReply: ScriptReply, Equatable {
    /// Labels of the steps that succeeded.
    public var done: [String]
    /// The relay's answers, when the script asked its tier's probes (`Scripts.activate`).
    public var probes: [UInt8]?
    /// Servers reloaded that still wait for a restart (`@pending`), recorded on the host.
    public var pending: [PendingRestart]

    public init(_ output: ScriptOutput) {
        done = output.all(.ok).map { $0.fields[0] }
        probes = output.probes
        pending = PendingRestart.all(output)
    }
}

public struct StageReply: ScriptReply, Equatable {
    /// Files whose server's check passed.
    public var validated: [String]

    public init(_ output: ScriptOutput) { validated = output.all(.valid).map { $0.fields[0] } }
}

public struct PrepareReply: ScriptReply, Equatable {
    public var release: String?
    /// It was there already: nothing was unpacked or installed.
    public var already: Bool
    /// How its virtualenv came: `shipped` (stackctl's, unpacked), `built` (pip on the host), or
    /// `kept` (there already, for an earlier release with the same requirements).
    public var venv: String?

    public init(_ output: ScriptOutput) {
        let m = output.first(.prepared)
        release = m?.fields[0]
        already = m?.fields.count == 2 && m?.fields[1] == "already"
        venv = m?.fields.count == 2 && !already ? m?.fields[1] : nil
    }
}

public struct SwitchReply: ScriptReply, Equatable {
    /// The release `current` pointed at before (nil: none), and the one it points at now.
    public var from: String?
    public var to: String?
    /// The drain before it, when it waited for one.
    public var drain: DrainReply
    /// The relay's answers to the probes asked after the restart (`Relay.decode`), if any.
    public var probes: [UInt8]?
    /// `release ID` or `venv HASH`, for each thing the prune after it removed.
    public var pruned: [String]

    public init(_ output: ScriptOutput) {
        let m = output.first(.switched)
        from = m.flatMap { $0.fields[0].isEmpty ? nil : $0.fields[0] }
        to = m?.fields[1]
        drain = DrainReply(output)
        probes = output.probes
        pruned = output.all(.pruned).map { $0.fields.joined(separator: " ") }
    }
}

public struct DrainReply: ScriptReply, Equatable {
    /// Connections still open when the drain timeout ran out (0 once drained).
    public var stillOpen: Int

    public init(_ output: ScriptOutput) {
        stillOpen = output.first(.drainTimeout).flatMap { Int($0.fields[0]) } ?? 0
    }
}

public struct ContentsReply: ScriptReply, Equatable {
    /// Each file the host has, by path (a file that is not valid UTF-8 is shown with U+FFFD).
    public var contents: [String: String] = [:]

    public init(_ output: ScriptOutput) {
        for m in output.all(.content) {
            guard let data = Data(base64Encoded: m.detail.joined()) else { continue }
            contents[m.fields[0]] = String(decoding: data, as: UTF8.self)
        }
    }
}
