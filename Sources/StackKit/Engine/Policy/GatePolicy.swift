/// How a gate treats its hosts. `fresh` (host to programs) turns repair on: an instance that is
/// not fresh (not just started or restarted by this run) and fails its first probe is
/// restarted once. `broken` pools are known to be down: probes answered through them say
/// nothing about the server in front and are left out. `pool` limits worker probes to one pool.
struct GatePolicy: Sendable {
    /// One round, no retry and no repair: is everything healthy right now?
    var quick = false
    var pool: String? = nil
    var fresh: [String: Set<String>]? = nil
    var broken: Set<String> = []
    /// Asked while waiting: true ends the wait (a signal asked the run to stop).
    var stop: (@Sendable () -> Bool)? = nil
}

/// What a gate found: whether every probe passed, and the pools with a failing instance.
struct GateVerdict: Sendable, Equatable {
    var ok: Bool
    var failedPools: Set<String> = []
    /// Every host answered (a failure is an instance's, not a host's).
    var reachable = true
}

/// What one host's health gate found: each probe's last result, the programs it restarted to
/// repair them (with why), and the probes it left out.
struct HostGate: Sendable {
    struct Repair: Sendable, Equatable {
        var program: String
        var why: String
    }

    var results: [ProbeResult] = []
    var repaired: [Repair] = []
    var skipped: [Probe] = []
}
