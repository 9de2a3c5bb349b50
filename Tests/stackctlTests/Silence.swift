import Foundation
import Testing

/// Drops every packet sent to one lab address, as a crashed or cut-off machine looks: no
/// refusal, only silence (Debian's iptables). Its rules carry the comment `stackctl-lab-silence`
/// and only ever name a lab address; `lift` removes the one it added, and every test that
/// silences first sweeps any left by a run that was killed (as `scripts/lab down` does).
struct Silence {
    static let tag = "stackctl-lab-silence"
    static let iptables = "/usr/sbin/iptables"
    let address: String

    var rule: [String] { ["INPUT", "-d", address, "-m", "comment", "--comment", Self.tag, "-j", "DROP"] }

    static func on(_ address: String) throws -> Silence {
        precondition(address.hasPrefix("127.0.0."), "only the lab's loopback addresses are silenced")
        let silence = Silence(address: address)
        let r = try CLITests.capture([iptables, "-I"] + silence.rule)
        try #require(r.status == 0, "iptables: \(r.stderr)")
        return silence
    }

    /// Removes this rule (every copy of it), and nothing else.
    func lift() {
        for _ in 0..<8 where (try? CLITests.capture([Self.iptables, "-D"] + rule))?.status == 0 {}
    }

    /// Removes every rule a test added, including those of a run that was killed.
    static func sweep() {
        _ = try? CLITests.capture([CLITests.repo.appendingPathComponent("scripts/lab").path, "unsilence"])
    }

    /// Rules of ours still in place (none, after a test).
    static func remaining() -> Int {
        let rules = (try? CLITests.capture([iptables, "-S", "INPUT"]))?.stdout ?? ""
        return rules.components(separatedBy: tag).count - 1
    }
}

/// What scripts/load.py saw while one host was silenced: its counts and a per-second timeline,
/// with the moments (seconds since the load started) the silence began and ended.
struct SilencedLoad {
    var counts: [String: Any]
    var timeline: [[String: Any]]
    var silencedAt: Double
    var liftedAt: Double
    /// What `sample` returned 1 s into the silence, as it was lifted, and `back` seconds later.
    var samples: [Int]
    /// Seconds from the lift until `sample` had grown by more than the requests in flight.
    var sampleReturnedAfter: Double?

    var failed: Int { (counts["errors"] as? Int ?? 0) + (counts["non_2xx"] as? Int ?? 0) }

    /// The timeline's whole seconds that lie inside [from, to] (load.py starts a little after
    /// the clock the moments are measured on).
    func seconds(from: Double, to: Double) -> [Int] {
        let first = Int(from.rounded(.up)), last = Int((to - 1.2).rounded(.down))
        return first <= last ? Array(first...min(last, timeline.count - 1)) : []
    }

    func okRate(from: Double, to: Double) -> Double {
        let s = seconds(from: from, to: to)
        return s.isEmpty ? 0 : Double(s.map { timeline[$0]["ok"] as? Int ?? 0 }.reduce(0, +)) / Double(s.count)
    }

    /// Answers from the given worker pids in the timeline's seconds that lie wholly inside
    /// [from, to] (as `seconds` picks them).
    func answers(by pids: Set<String>, inside from: Double, _ to: Double) -> Int {
        seconds(from: from, to: to).map { answers(by: pids, from: Double($0), to: Double($0)) }.reduce(0, +)
    }

    /// Seconds from the lift to the start of the first timeline second in which these pids
    /// answered again (to the timeline's one-second grain).
    func returnedAfter(_ pids: Set<String>) -> Double? {
        let first = Int(liftedAt.rounded(.down))
        guard first < timeline.count else { return nil }
        return (first..<timeline.count).first { answers(by: pids, from: Double($0), to: Double($0)) > 0 }.map { max(0, Double($0) - liftedAt) }
    }

    /// Answers from the given worker pids in the timeline's seconds from `from` to `to`.
    func answers(by pids: Set<String>, from: Double, to: Double) -> Int {
        let first = max(0, Int(from.rounded(.down))), last = min(timeline.count - 1, Int(to.rounded(.up)))
        guard first <= last else { return 0 }
        return (first...last).map { i in
            ((timeline[i]["pids"] as? [String: Int]) ?? [:]).filter { pids.contains($0.key) }.values.reduce(0, +)
        }.reduce(0, +)
    }

    /// Steady load through `front` (4 connections); after 6 s `address` goes silent for
    /// `seconds`, `during` runs inside the silence, and the load goes on `back` + 2 s after it
    /// is lifted. The rule is lifted on every exit path.
    static func run(_ address: String, front: String, dir: URL, seconds: Double = 22, back: Double,
                    sample: () -> Int = { 0 }, during: () throws -> Void = {}) throws -> SilencedLoad {
        Silence.sweep()
        var silence: Silence?
        defer { silence?.lift() }
        var silencedAt = 0.0, liftedAt = 0.0, samples: [Int] = [], returned: Double?
        let start = Date()
        func now() -> Double { Date().timeIntervalSince(start) }
        func wait(until t: Double) { let d = t - now(); if d > 0 { Thread.sleep(forTimeInterval: d) } }
        let counts = try Lab.RolloutE2ETests.underLoad(dir, front: front, path: "/", options: ["--timeline"]) {
            wait(until: 6)
            silence = try Silence.on(address)
            silencedAt = now()
            wait(until: silencedAt + 1)
            samples.append(sample())
            try during()
            wait(until: silencedAt + seconds)
            silence?.lift()
            silence = nil
            liftedAt = now()
            let atLift = sample()
            samples.append(atLift)
            while now() < liftedAt + back {
                if returned == nil, sample() - atLift > Lab.SilentHostE2ETests.inFlight { returned = now() - liftedAt }
                Thread.sleep(forTimeInterval: 0.25)
            }
            samples.append(sample())
            wait(until: liftedAt + back + 2)
        }
        return SilencedLoad(counts: counts, timeline: counts["timeline"] as? [[String: Any]] ?? [], silencedAt: silencedAt, liftedAt: liftedAt,
                            samples: samples, sampleReturnedAfter: returned)
    }
}
