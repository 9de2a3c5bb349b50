/// Where a rollout moves a pool's hosts.
public enum RolloutTarget: Sendable {
    /// The pool's source as it is now (`rollout`).
    case newRelease
    /// Each host's previous release (`rollback`).
    case previous
}
