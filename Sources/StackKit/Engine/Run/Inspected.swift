/// A host as the run's first step read it: its plan, its state, what would change there, and
/// the answers to its probes when the inspect asked them ahead.
struct Inspected: OnHost {
    var plan: HostPlan
    var state: HostState
    var changes: HostChanges
    /// The relay's answers to `probes(Tier.allCases, ...)`, asked by the inspect itself.
    var answers: [UInt8]? = nil
    /// Whether the inspect let the run's lock go again, finding the host in sync (`releasing`).
    var released = false
    var hostName: String { plan.host.name }
}
