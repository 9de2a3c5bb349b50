/// Whether a rollout stops for a person: not at all, after its first batch (`--pause`: the
/// canary serves while the lock stays held), or to finish a paused one (`--continue`).
public enum RolloutPause: Sendable, Equatable {
    case none
    case afterFirstBatch
    case resume

    /// The batch sizes left after the first of `batch`: a list loses its first step.
    public static func rest(of batch: BatchSize) -> BatchSize {
        guard case .list(let steps) = batch, steps.count > 1 else { return batch }
        let rest = Array(steps.dropFirst())
        return rest.count == 1 ? rest[0] : .list(rest)
    }
}
