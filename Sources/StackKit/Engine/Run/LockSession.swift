import Synchronization

/// One run's hold on the stack's deploy lock. The run's first script takes it on every host
/// (the inspect carries it, so the lock costs no round trip of its own); the hosts where it was
/// taken are let go when the run ends.
final class LockSession: Sendable {
    let holder: LockHolder
    /// How long to wait for another run's lock to go (`--lock-wait`); none: fail at once.
    let wait: Duration?
    /// Whether this run may take over a paused rollout's lock (`rollout --continue`, `rollback`).
    let resume: Bool
    private let state = Mutex<(asked: Bool, taken: [HostPlan], resumed: LockHolder?)>((false, [], nil))

    init(holder: LockHolder, wait: Duration? = nil, resume: Bool = false) {
        self.holder = holder
        self.wait = wait
        self.resume = resume
    }

    /// The paused rollout whose lock this run took over, if it did.
    var resumed: LockHolder? { state.withLock { $0.resumed } }
    func resumes(_ paused: LockHolder) { state.withLock { $0.resumed = paused } }

    /// Whether a script has asked for the lock yet (whatever the answer).
    var isAsked: Bool { state.withLock { $0.asked } }
    /// The hosts whose lock this run holds, in the order taken.
    var taken: [HostPlan] { state.withLock { $0.taken } }

    func ask() { state.withLock { $0.asked = true } }
    func took(_ plans: [HostPlan]) { state.withLock { $0.taken += plans } }
    /// The hosts taken so far, forgotten: the caller lets them go.
    func letGo() -> [HostPlan] { state.withLock { s in defer { s.taken = [] }; return s.taken } }
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
