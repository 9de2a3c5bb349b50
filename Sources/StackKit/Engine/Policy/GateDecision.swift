/// What a repairing gate does after its first round of probes, decided from the results alone:
/// an instance this run just started or reloaded may need a moment, so it is waited for; one
/// the run did not touch is restarted once when a restart can mend it (`repairable`), then
/// waited for, as is a middle whose workers it still thinks down (`passing`); any other
/// failure's answer stands (waiting would not change it).
struct GateDecision: Sendable, Equatable {
    /// Programs restarted once, in the order first seen.
    var restart: [String] = []
    /// Indices of the results asked again until healthy, out of time or exited.
    var wait: [Int] = []
    /// Why each restarted program was restarted.
    var repairs: [HostGate.Repair] = []
}

extension GateDecision {
    /// `fresh`: the host's programs this run started, restarted or reloaded; `program`: the
    /// program behind a probe (nil when none is known: its answer stands).
    init(_ results: [ProbeResult], fresh: Set<String>, program: (Probe) -> String?) {
        self.init()
        for k in results.indices where !results[k].healthy {
            guard let name = program(results[k].probe) else { continue }
            if fresh.contains(name) || restart.contains(name) || Self.passing(results[k]) {
                wait.append(k)
            } else if Self.repairable(results[k]) {
                restart.append(name)
                wait.append(k)
                repairs.append(.init(program: name, why: "it failed its probe (\(results[k].answer))"))
            }
        }
    }

    /// A server's 502, 503 or 504 on an app path once the workers behind it passed their gate:
    /// its view of them is older than their restart (nginx's `fail_timeout`, per nginx worker
    /// process, and lighttpd's `disable-time` keep a peer that failed marked down: "no live
    /// upstreams"; the front relays it). It passes as the mark does.
    static func passing(_ r: ProbeResult) -> Bool {
        r.probe.tier != .workers && r.probe.through != nil && [502, 503, 504].contains(r.status ?? 0)
    }

    /// A worker that fails is restarted; a server only when it gives no HTTP answer at all (a
    /// 502 says its workers fail, a 404 its config: a restart mends neither).
    static func repairable(_ r: ProbeResult) -> Bool {
        r.probe.tier == .workers || r.status == nil
    }
}
