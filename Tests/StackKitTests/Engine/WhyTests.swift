import Testing
@testable import StackKit
import StackKitTesting

/// Every fault gets its own why: the process manager's words read with the program's facts, the
/// error-log line about this probe and no other, and slowness.
@Suite struct WhyTests {
    static let admin = "shop-admin:shop-admin-0"

    static func refused(_ p: Probe) -> Relay.Answer {
        Relay.Answer(outcome: .refused, milliseconds: 0, bytes: [], message: "[Errno 111] Connection refused")
    }

    @Test func supervisordsSpawnErrorNamesTheMissingInterpreter() throws {
        let w = try #require(try StatusTests.judge("""
        @proc \(Self.admin) fatal 0 0
        @spawnerr \(Self.admin) can't find command '/usr/bin/python3'
        @plog \(Self.admin) 2026-11-22 10:00:00 pool admin instance 0 stopped

        """, probes: Self.refused).first)
        #expect(w.why == "supervisord reports it fatal: its interpreter /usr/bin/python3 does not exist (can't find command '/usr/bin/python3')")
    }

    @Test func aDirectoryTheUserCannotEnterIsNamedWithTheUser() throws {
        let w = try #require(try StatusTests.judge("@proc \(Self.admin) backoff 0 0\n@plog \(Self.admin) supervisor: couldn't chdir to /srv/shop/admin: EACCES\n", probes: Self.refused).first)
        #expect(w.why == "supervisord reports it backoff: its user shop-admin cannot enter /srv/shop/admin (EACCES) (supervisor: couldn't chdir to /srv/shop/admin: EACCES)")
    }

    @Test func aProgramStoppedOnPurposeShowsNoEarlierRunsLine() throws {
        let w = try #require(try StatusTests.judge("@proc \(Self.admin) stopped 0 0\n@plog \(Self.admin) pool admin instance 0 stopped\n", probes: Self.refused).first)
        #expect(w.why == "supervisord reports it stopped")
    }

    @Test func systemdsStepErrorsAreReadTheSameWay() {
        let p = Program(name: "shop-main@0", tier: .workers, argv: ["/srv/shop/venv/bin/python", "/x/launcher.py"], user: "shop", group: "shop",
                        directory: "/srv/shop/app", stopSignal: "TERM", stopSeconds: 15)
        #expect(SpawnWhy.explain("shop-main@0.service: Failed at step CHDIR spawning /srv/shop/venv/bin/python: Permission denied", p)
            == "its user shop cannot enter /srv/shop/app (Permission denied)")
        #expect(SpawnWhy.explain("shop-main@0.service: Failed to locate executable /srv/shop/venv/bin/python: No such file or directory", p)
            == "its interpreter /srv/shop/venv/bin/python does not exist")
        #expect(SpawnWhy.explain("shop-main@0.service: Failed at step USER spawning /srv/shop/venv/bin/python: No such process", p)
            == "its user shop does not exist on this host")
        #expect(SpawnWhy.explain("ImportError: no module named shop", p) == nil)
        #expect(SpawnWhy.explain("unknown error making dispatchers for 'shop-main-0': ENOENT", p, logDirectory: "/srv/stackctl/shop/log")
            == "supervisord cannot open its log file: /srv/stackctl/shop/log is gone (`stackctl up` makes it again)")
    }

    /// A front or middle whose peer refused: the why names the peer as the manifest does, not
    /// the error page's HTML and the log's timestamp.
    @Test func aRefusingPeerIsNamedByItsHostAndAddress() throws {
        let renderer = StackRenderer(try Fixtures.manifest("full"))
        let t = renderer.topology
        func judge(_ host: String) throws -> StatusJudge<ImmediateClock> {
            let plan = HostPlan(try #require(renderer.renderAll().first { $0.host.name == host }), topology: t)
            return StatusJudge(seen: StatusChecker<ImmediateClock>.Seen(plan: plan, facts: nil, probes: []), topology: t)
        }
        let front = try #require(Probes.front(t, host: "edge").first)
        let page = Relay.Answer(outcome: .ok, milliseconds: 1, bytes: Array("HTTP/1.1 503 Service Unavailable\r\n\r\n<!DOCTYPE HTML><html>...".utf8), message: "")
        let apache = "[Mon Nov 23 10:00:00.123456 2026] [proxy:error] [pid 9] (111)Connection refused: AH00957: http: attempt to connect to 127.0.1.11:8000 (127.0.1.11:8000) failed"
        #expect(try judge("edge").peerWhy(front.evaluate(page), apache) == "503: web (127.0.1.11:8000) refused the connection")
        let middle = try #require(Probes.middle(t, host: "web").last)
        let bad = Relay.Answer(outcome: .ok, milliseconds: 1, bytes: Array("HTTP/1.1 502 Bad Gateway\r\n\r\n<html>".utf8), message: "")
        let nginx = #"2026/11/23 10:00:10 [error] 7#7: *9 connect() failed (110: Connection timed out) while connecting to upstream, request: "GET /health HTTP/1.1", upstream: "fastcgi://127.0.1.21:9000""#
        #expect(try judge("web").peerWhy(middle.evaluate(bad), nginx) == "502: pool main instance 0 on app1 (127.0.1.21:9000) did not answer in time (connection timed out)")
    }

    @Test func errorLogTimestampsOfEachServerAreRead() {
        let t = ErrorLog.seconds("2026", "11", "23", "10", "00", "00")!
        #expect(ErrorLog.timestamp("2026-11-23 10:00:00: (mod_fastcgi.c.123) connect failed") == t)
        #expect(ErrorLog.timestamp("2026/11/23 10:00:00 [error] 12#12: *1 open() failed") == t)
        #expect(ErrorLog.timestamp("[Mon Nov 23 10:00:00.123456 2026] [proxy:error] [pid 9] AH00957") == t)
        #expect(ErrorLog.timestamp("[Mon Nov  3 10:00:00 2026] x") == ErrorLog.seconds("2026", "11", "3", "10", "00", "00"))
        #expect(ErrorLog.timestamp("no time here") == nil)
    }

    @Test func onlyARecentLineAboutThisProbeExplainsIt() {
        // The host's local time is an hour ahead of UTC.
        let now = ErrorLog.seconds("2026", "11", "23", "09", "00", "30")!
        let clock = HostStatusFacts.HostClock(epoch: now, offset: 3600)
        let lines = [
            #"2026/11/23 09:30:00 [error] 7#7: *1 open() "/srv/static/health.txt" failed (2: No such file or directory), request: "GET /static/health.txt HTTP/1.1""#,
            #"2026/11/23 10:00:10 [error] 7#7: *9 connect() failed (111: Connection refused) while connecting to upstream, request: "GET /health HTTP/1.1", upstream: "fastcgi://127.0.0.13:9000""#,
            #"2026/11/23 10:00:20 [error] 7#7: *12 open() "/srv/static/health.txt" failed (13: Permission denied), request: "GET /static/health.txt HTTP/1.1""#,
        ]
        #expect(ErrorLog.pick(lines, clock: clock, mentioning: ["/static/health.txt"]) == lines[2])
        #expect(ErrorLog.pick(Array(lines.prefix(2)), clock: clock, mentioning: ["/static/health.txt"]) == nil, "half an hour old")
        #expect(ErrorLog.pick(lines, clock: clock, mentioning: ["127.0.0.13:9000"]) == lines[1])
        #expect(ErrorLog.pick(lines, clock: nil, mentioning: ["/static/health.txt"]) == nil)
    }

    @Test func aSlowButHealthyWorkerIsShownSlowAndTheTierDegraded() throws {
        let instances = try StatusTests.judge("@sock 660:www-data:www-data /srv/stackctl/shop/run/admin/0.sock\n@groups www-data www-data\n", probes: { p in
            var a = StatusTests.ok(p)
            a.milliseconds = 5012
            return a
        })
        let w = try #require(instances.first)
        #expect(w.healthy && w.slow)
        #expect(w.why == "slow: pool admin instance 0 (unix:/srv/stackctl/shop/run/admin/0.sock) answered in 5012 ms, over its 1000 ms threshold")
        #expect(StatusReport.tierState(instances) == .degraded)
    }

    @Test func theSlowThresholdIsASettingUnderTheTimeout() {
        let base = "name: s\nhosts: { a: { address: 127.0.0.1 } }\nfront: { hosts: [a] }\nmiddle: { server: nginx, hosts: [a], static: { root: /srv/s }, routes: { /: p } }\n"
        #expect(Fixtures.problems(base + "pools: { p: { wsgi: 'm:app', directory: /srv/a, hosts: [a], health: { timeout: 5, slow: 5 } } }\n")
            == ["5:89: pools.p.health.slow: a slow threshold of 5 s must be under the health timeout (5 s)"])
        #expect(Fixtures.problems(base + "pools: { p: { wsgi: 'm:app', directory: /srv/a, hosts: [a], health: { slow: 250ms } } }\n").isEmpty)
    }
}
