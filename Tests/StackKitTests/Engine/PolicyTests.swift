import Testing
@testable import StackKit

/// The engine's decisions as plain values, compared with `==`: a rolling command's batches,
/// what follows a tier's gate, and what a repairing gate restarts and waits for.
@Suite struct PolicyTests {
    typealias Batch = RollingPlan.Batch

    @Test func aRolloutDrainsEachBatchPuttingTheOneBeforeBackInTheSameReload() {
        let plan = RollingPlan.rollout(pool: "main", moving: ["a", "b", "c"], batch: .one, of: 3)
        #expect(plan == RollingPlan(pool: "main", batches: [
            Batch(hosts: ["a"], drain: true, returning: [], putBack: false, gate: .workers),
            Batch(hosts: ["b"], drain: true, returning: ["a"], putBack: false, gate: .workers),
            Batch(hosts: ["c"], drain: true, returning: ["b"], putBack: true, gate: .workers),
        ]))
    }

    @Test func aShareOfThePoolIsRoundedDownAndNeverTakesEveryHost() {
        let plan = RollingPlan.rollout(pool: "main", moving: ["a", "b", "c", "d", "e"], batch: .percent(50), of: 5)
        #expect(plan.batches.map(\.hosts) == [["a", "b"], ["c", "d"], ["e"]])
        #expect(plan.batches.map(\.returning) == [[], ["a", "b"], ["c", "d"]])
        let all = RollingPlan.rollout(pool: "main", moving: ["a", "b"], batch: .percent(100), of: 2)
        #expect(all.batches.map(\.hosts) == [["a"], ["b"]], "one host keeps serving")
    }

    @Test func onlySomeHostsMovingStillSizeBatchesByThePool() {
        let plan = RollingPlan.rollout(pool: "main", moving: ["c", "d"], batch: .hosts(3), of: 4)
        #expect(plan.batches == [Batch(hosts: ["c", "d"], drain: true, returning: [], putBack: true, gate: .workers)])
    }

    @Test func aPoolOnOneHostIsNeitherDrainedNorPutBack() {
        let plan = RollingPlan.rollout(pool: "main", moving: ["a"], batch: .one, of: 1)
        #expect(plan.batches == [Batch(hosts: ["a"], drain: false, returning: [], putBack: false, gate: .workers)])
    }

    @Test func aRestartPutsEachPoolBatchBackOnItsOwnAndNeverDrainsAServer() {
        let pool = RollingPlan.restart(.workers, pool: "main", hosts: ["a", "b"], batch: .one, of: 2)
        #expect(pool.batches == [
            Batch(hosts: ["a"], drain: true, returning: [], putBack: true, gate: .workers),
            Batch(hosts: ["b"], drain: true, returning: [], putBack: true, gate: .workers),
        ])
        let middle = RollingPlan.restart(.middle, pool: nil, hosts: ["w1", "w2"], batch: .one, of: 2)
        #expect(middle == RollingPlan(pool: nil, batches: [
            Batch(hosts: ["w1"], drain: false, returning: [], putBack: false, gate: .middle),
            Batch(hosts: ["w2"], drain: false, returning: [], putBack: false, gate: .middle),
        ]))
    }

    @Test func whatFollowsAGate() {
        let sick = GateVerdict(ok: false, failedPools: ["main"])
        #expect(ConvergePolicy.after(.workers, GateVerdict(ok: true), changedPools: [], interrupted: false) == .proceed)
        #expect(ConvergePolicy.after(.workers, sick, changedPools: [], interrupted: false) == .proceedWithout(["main"]))
        #expect(ConvergePolicy.after(.workers, sick, changedPools: ["main"], interrupted: false) == .stop, "a changed pool never goes live broken")
        #expect(ConvergePolicy.after(.workers, sick, changedPools: [], interrupted: true) == .stop)
        #expect(ConvergePolicy.after(.middle, GateVerdict(ok: false), changedPools: [], interrupted: false) == .stop)
        let unreachable = GateVerdict(ok: false, failedPools: ["main"], reachable: false)
        #expect(ConvergePolicy.after(.workers, unreachable, changedPools: [], interrupted: false) == .stop)
    }

    static func result(_ tier: Tier, _ name: String, healthy: Bool, status: Int? = nil) -> ProbeResult {
        let probe = Probe(tier: tier, host: "h", endpoint: .tcp(address: "127.0.0.1", port: 9000),
                          kind: .http(path: "/", contentType: nil), label: name, timeout: 1)
        return ProbeResult(probe: probe, healthy: healthy, status: status, milliseconds: 1, answer: healthy ? "200 ok" : "\(status ?? 0)", stderr: "")
    }

    @Test func aRepairingGateWaitsForWhatItTouchedAndRestartsWhatItDidNot() {
        let results = [
            Self.result(.workers, "w0", healthy: true),
            Self.result(.workers, "w1", healthy: false),
            Self.result(.workers, "w2", healthy: false),
            Self.result(.middle, "mid", healthy: false, status: 502),
            Self.result(.front, "front", healthy: false),
        ]
        let decision = GateDecision(results, fresh: ["prog-w2"]) { $0.label == "unknown" ? nil : "prog-" + $0.label }
        #expect(decision.restart == ["prog-w1", "prog-front"], "a 502 from the middle is its workers' fault: no restart")
        #expect(decision.wait == [1, 2, 4])
        #expect(decision.repairs.map(\.program) == ["prog-w1", "prog-front"])
        #expect(decision.repairs.first?.why == "it failed its probe (0)")
    }

    /// The middle still marks its workers down (nginx's "no live upstreams" for fail_timeout)
    /// though they passed their gate: its app probe is waited for, never restarted.
    @Test func aMiddleThatStillThinksItsWorkersDownIsWaitedFor() {
        var app = Self.result(.middle, "app", healthy: false, status: 502)
        app.probe.through = "main"
        var front = Self.result(.front, "front", healthy: false, status: 502)
        front.probe.through = "main"
        let results = [app, Self.result(.middle, "static", healthy: false, status: 502), Self.result(.middle, "down", healthy: false, status: 404), front]
        let decision = GateDecision(results, fresh: []) { _ in "prog-server" }
        #expect(decision == GateDecision(restart: [], wait: [0, 3], repairs: []))
    }

    @Test func aProgramIsRestartedOnceHoweverManyOfItsProbesFail() {
        let results = [Self.result(.workers, "a", healthy: false), Self.result(.workers, "b", healthy: false)]
        let decision = GateDecision(results, fresh: []) { _ in "one" }
        #expect(decision == GateDecision(restart: ["one"], wait: [0, 1], repairs: [.init(program: "one", why: "it failed its probe (0)")]))
    }
}
