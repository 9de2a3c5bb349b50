import Synchronization

/// One run's hold on the stack's deploy lock. The run's first script takes it on every host
/// (the inspect carries it, so the lock costs no round trip of its own); the hosts where it was
/// taken are let go when the run ends.
final class LockSession: Sendable {
    let holder: LockHolder
    private let state = Mutex<(asked: Bool, taken: [HostPlan])>((false, []))

    init(holder: LockHolder) { self.holder = holder }

    /// Whether a script has asked for the lock yet (whatever the answer).
    var isAsked: Bool { state.withLock { $0.asked } }
    /// The hosts whose lock this run holds, in the order taken.
    var taken: [HostPlan] { state.withLock { $0.taken } }

    func ask() { state.withLock { $0.asked = true } }
    func took(_ plans: [HostPlan]) { state.withLock { $0.taken += plans } }
}

/// A script's answer that says whether it took the lock (`LockReply`, `InspectReply`).
protocol LockAnswer: ScriptReply {
    var lockReply: LockReply { get }
}

extension LockReply: LockAnswer {
    var lockReply: LockReply { self }
}

extension InspectReply: LockAnswer {
    var lockReply: LockReply { lock }
}
