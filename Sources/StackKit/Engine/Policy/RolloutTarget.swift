/// Where a rollout moves a pool's hosts.
public enum RolloutTarget: Sendable, Equatable {
    /// The pool's source as it is now (`rollout`).
    case newRelease
    /// A release already built and prepared on every host (a paused rollout's, continued).
    case release(String)
    /// Each host's previous release (`rollback`).
    case previous
}
