import Testing
@testable import StackKit
import StackKitTesting

@Suite struct StatusTests {
    @Test func statusFactsParse() {
        let facts = HostStatusFacts.parse("""
        @manager up
        @proc shop-main:shop-main-0 running 123 45
        @proc shop-middle backoff 0 0
        @sock 660:www-data:www-data /srv/run/admin/0.sock
        @nosock /srv/run/admin/1.sock
        @groups www-data www-data adm
        @log middle 2026-11-22 00:16:44: (server.c.1574) can't find username x
        @release main 3f2a9c1
        @plog shop-middle stackctl launcher[9]: cannot load the WSGI application of pool main: ImportError: x
        """)
        #expect(facts.processes["shop-main:shop-main-0"] == .init(state: "running", pid: 123, uptime: 45))
        #expect(facts.processes["shop-middle"]?.state == "backoff")
        #expect(facts.sockets["/srv/run/admin/0.sock"] == .some("660:www-data:www-data"))
        #expect(facts.sockets.keys.contains("/srv/run/admin/1.sock") && facts.sockets["/srv/run/admin/1.sock"]! == nil)
        #expect(facts.middleUserGroups == ["www-data", "adm"])
        #expect(facts.logs["middle"] == ["2026-11-22 00:16:44: (server.c.1574) can't find username x"])
        #expect(facts.releases == ["main": "3f2a9c1"])
        #expect(facts.lastLogLine["shop-middle"] == "stackctl launcher[9]: cannot load the WSGI application of pool main: ImportError: x")
    }

    static func judge(_ facts: String, head: String = "@manager up\n", probes: (Probe) -> Relay.Answer) throws -> [StatusReport.Instance] {
        let renderer = StackRenderer(try Fixtures.manifest("full"))
        let rendered = try #require(renderer.renderAll().first { $0.host.name == "web" })
        let plan = HostPlan(rendered, topology: renderer.topology)
        var text = head + "@proc shop-admin:shop-admin-0 running 10 60\n@proc shop-middle running 11 60\n"
        for f in plan.files { text += "@file \(f.sha256) \(f.ownership) \(f.path)\n" }
        text += facts
        let results = Probes.workers(renderer.topology, host: "web").map { $0.evaluate(probes($0)) }
        let seen = StatusChecker<ImmediateClock>.Seen(plan: plan, facts: HostStatusFacts.parse(text), probes: results)
        return StatusJudge(seen: seen, topology: renderer.topology).instances(of: .workers)
    }

    static func ok(_ p: Probe) -> Relay.Answer {
        Relay.Answer(outcome: .ok, milliseconds: 3, bytes: FastCGITests.reply("Status: 200 OK\r\n\r\nok"), message: "")
    }

    @Test func aHealthyWorkerIsInSyncWithItsProcess() throws {
        let w = try #require(try Self.judge("@sock 660:www-data:www-data /srv/stackctl/shop/run/admin/0.sock\n@groups www-data www-data\n", probes: Self.ok).first)
        #expect(w.healthy && w.why == nil && w.drift == "in sync" && w.process == .init(state: "running", pid: 10, uptimeSeconds: 60))
        #expect(w.name == "admin/0" && w.listen == "unix:/srv/stackctl/shop/run/admin/0.sock" && w.health?.latencyMs == 3)
    }

    @Test func aSocketTheMiddleServerCannotOpenIsUnhealthyEvenIfRootCan() throws {
        let w = try #require(try Self.judge("@sock 640:root:root /srv/stackctl/shop/run/admin/0.sock\n@groups www-data www-data\n", probes: Self.ok).first)
        #expect(!w.healthy)
        #expect(w.why == "the middle server's user www-data cannot open /srv/stackctl/shop/run/admin/0.sock (640 root:root)")
    }

    /// The socket's mode is fine, but the middle's user cannot enter its directory: users get
    /// 503, and status says why.
    @Test func aSocketDirectoryTheMiddleCannotEnterIsUnhealthy() throws {
        let w = try #require(try Self.judge("@sock 700:root:root /srv/stackctl/shop/run/admin\n@sock 660:www-data:www-data /srv/stackctl/shop/run/admin/0.sock\n@groups www-data www-data\n",
                                            probes: Self.ok).first)
        #expect(!w.healthy)
        #expect(w.why == "the middle server's user www-data cannot enter /srv/stackctl/shop/run/admin (700 root:root), so cannot reach /srv/stackctl/shop/run/admin/0.sock; `stackctl up` puts its mode back")
        let fine = try #require(try Self.judge("@sock 750:shop-admin:www-data /srv/stackctl/shop/run/admin\n@sock 660:www-data:www-data /srv/stackctl/shop/run/admin/0.sock\n@groups www-data www-data\n",
                                               probes: Self.ok).first)
        #expect(fine.healthy)
    }

    @Test func aStaleSocketIsNamed() throws {
        let w = try #require(try Self.judge("@sock 660:www-data:www-data /srv/stackctl/shop/run/admin/0.sock\n", probes: { _ in
            Relay.Answer(outcome: .refused, milliseconds: 0, bytes: [], message: "[Errno 111] Connection refused")
        }).first)
        #expect(w.why == "stale socket: /srv/stackctl/shop/run/admin/0.sock exists but nothing listens on it")
    }

    @Test func theWorkersFastCGIStderrExplainsA500() throws {
        let w = try #require(try Self.judge("", probes: { _ in
            Relay.Answer(outcome: .ok, milliseconds: 1, bytes: FastCGITests.reply("Status: 500 Internal Server Error\r\n\r\nx", stderr: "Traceback\nKeyError: 'DATABASE_URL'"), message: "")
        }).first)
        #expect(!w.healthy && w.why == "worker stderr: KeyError: 'DATABASE_URL'")
    }

    /// A unit killed until systemd's start limit stopped it: its why is the signal, the limit and
    /// the command that resets it, not the last line it logged while it served.
    @Test func aUnitAtItsStartLimitSaysSo() throws {
        let facts = HostStatusFacts.parse("@proc shop-main@0.service failed/failed 0 0\n@unitend shop-main@0.service signal 2 9 5 10s 5\n"
            + "@plog shop-main@0.service stackctl launcher[7]: serving on 127.0.0.1:9000\n")
        let end = try #require(facts.unitEnds["shop-main@0.service"])
        #expect(end == UnitEnd(result: "signal", code: 2, status: 9, burst: 5, interval: "10s", restarts: 5))
        #expect(end.why(unit: "shop-main@0.service") == "systemd stopped restarting it: it was killed by SIGKILL and hit its start limit "
            + "(5 starts in 10s); `systemctl reset-failed shop-main@0.service` resets the limit, and `stackctl up` does that and starts it")
        #expect(UnitEnd(result: "exit-code", code: 1, status: 3, burst: 5, interval: "10s", restarts: 0).why(unit: "u") == nil)
        // One that exited with a status said why as it went: its last line is quoted.
        #expect(UnitEnd(result: "exit-code", code: 1, status: 1, burst: 5, interval: "10s", restarts: 4)
            .why(unit: "u", lastLine: "ModuleNotFoundError: No module named 'nope'") == "systemd stopped restarting it: it was exited with status 1 "
            + "and hit its start limit (5 starts in 10s); its last log line: ModuleNotFoundError: No module named 'nope'; "
            + "`systemctl reset-failed u` resets the limit, and `stackctl up` does that and starts it")
        #expect(end.why(unit: "u", lastLine: "serving") == end.why(unit: "u"), "a killed one's last line is from when it served")
        #expect(UnitEnd(result: "start-limit-hit", code: 0, status: 0, burst: 5, interval: "10s", restarts: 0).startLimitHit)
        #expect(UnitEnd(result: "core-dump", code: 3, status: 11, burst: 5, interval: "10s", restarts: 1).how == "dumped core on SIGSEGV")
        var m = try Fixtures.manifest("full")
        m.hosts = m.hosts.map { var h = $0; h.processManager = .systemd; return h }
        let renderer = StackRenderer(m)
        let plan = HostPlan(try #require(renderer.renderAll().first { $0.host.name == "app1" }), topology: renderer.topology)
        let seen = StatusChecker<ImmediateClock>.Seen(plan: plan, facts: facts, probes: [])
        let main0 = try #require(StatusJudge(seen: seen, topology: renderer.topology).instances(of: .workers).first)
        #expect(main0.why == end.why(unit: "shop-main@0.service"))
    }

    @Test func aHandEditedFileIsDrift() throws {
        let renderer = StackRenderer(try Fixtures.manifest("full"))
        let plan = HostPlan(renderer.renderAll().first { $0.host.name == "web" }!, topology: renderer.topology)
        var state = HostState()
        for f in plan.files { state.files[f.path] = .init(sha256: f.sha256, ownership: f.ownership) }
        state.files["/srv/stackctl/shop/middle/nginx.conf"]?.sha256 = "edited"
        state.files.removeValue(forKey: "/srv/stackctl/shop/pools/admin/pool.json")
        let seen = StatusChecker<ImmediateClock>.Seen(plan: plan, facts: HostStatusFacts(state: state), probes: [])
        let judge = StatusJudge(seen: seen, topology: renderer.topology)
        #expect(judge.drift(.middle, state) == ("changed on host", ["/srv/stackctl/shop/middle/nginx.conf"]))
        #expect(judge.drift(.workers(pool: "admin"), state) == ("missing", ["/srv/stackctl/shop/pools/admin/pool.json"]))
    }

    /// A middle serving while a reload left it waiting for a restart: degraded, and why says
    /// what waits and the command that applies it; another program's record is not its own.
    @Test func aMiddleWaitingForARestartIsDegradedAndSaysWhatAppliesIt() throws {
        let renderer = StackRenderer(try Fixtures.manifest("full"))
        let rendered = try #require(renderer.renderAll().first { $0.host.name == "web" })
        let plan = HostPlan(rendered, topology: renderer.topology)
        func middle(_ pending: String) throws -> StatusReport.Instance {
            var text = "@manager up\n@proc shop-admin:shop-admin-0 running 10 60\n@proc shop-middle running 11 60\n" + pending
            for f in plan.files { text += "@file \(f.sha256) \(f.ownership) \(f.path)\n" }
            let ok = Relay.Answer(outcome: .ok, milliseconds: 2, bytes: Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok".utf8), message: "")
            let results = Probes.middle(renderer.topology, host: "web").map { $0.evaluate(ok) }
            let seen = StatusChecker<ImmediateClock>.Seen(plan: plan, facts: HostStatusFacts.parse(text), probes: results)
            return try #require(StatusJudge(seen: seen, topology: renderer.topology).instances(of: .middle).first)
        }
        let waiting = try middle("@pending shop-middle limit 1024 6064\n")
        #expect(waiting.healthy && waiting.restartPending && StatusReport.tierState([waiting]) == .degraded)
        #expect(waiting.why == "restart pending: " + PendingRestart(program: "shop-middle", cause: .limit(have: 1024, want: 6064)).message(.middle))
        let other = try middle("@pending shop-front.service unit\n")
        #expect(other.healthy && !other.restartPending && other.why == nil && StatusReport.tierState([other]) == .healthy)
    }

    @Test func theVerdictOrdersUnreachableDownDegradedHealthy() {
        func tier(_ healthy: [Bool]) -> StatusReport.TierEntry {
            let instances = healthy.map { StatusReport.Instance(tier: .workers, host: "h", name: "n", listen: "", process: nil, health: nil, drift: "in sync", driftFiles: [], release: nil, healthy: $0, why: nil) }
            return .init(tier: .workers, state: StatusReport.tierState(instances), instances: instances)
        }
        let up = StatusReport.HostEntry(host: "a", reachable: true, error: nil)
        #expect(StatusReport.verdict(tiers: [tier([true, true])], hosts: [up]) == (.healthy, .ok))
        #expect(StatusReport.verdict(tiers: [tier([true, false])], hosts: [up]) == (.degraded, .degraded))
        #expect(StatusReport.verdict(tiers: [tier([true]), tier([false, false])], hosts: [up]) == (.down, .unhealthy))
        #expect(StatusReport.verdict(tiers: [tier([true])], hosts: [up, .init(host: "b", reachable: false, error: "x")]) == (.unreachable, .unreachable))
    }
}
