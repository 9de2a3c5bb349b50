import Foundation

/// The inspect script's answer: the host's state; when the script took the run's lock, whether
/// it did (else the holder, and no state was read); and the probes' answers when it asked them.
public struct InspectReply: ScriptReply, Equatable {
    public var lock: LockReply
    public var state: HostState
    /// The relay's answers, as `Relay.decode` reads them; nil when the script asked none.
    public var probes: [UInt8]?

    public init(_ output: ScriptOutput) {
        lock = LockReply(output)
        state = HostState(output)
        probes = output.probes
    }
}

extension ScriptOutput {
    /// The bytes of the relay's `@probes` line, if the script printed one.
    var probes: [UInt8]? { first(.probes).flatMap { Data(base64Encoded: $0.fields[0]) }.map { Array($0) } }
}
