import Foundation
import Testing
@testable import StackKit
import StackKitTesting

@Suite struct ProbeTests {
    @Test func relayFramesRoundTrip() {
        let bytes = Relay.encode([Relay.Exchange(endpoint: .unix(path: "/run/a.sock"), payload: [1, 2], timeout: 2),
                                  Relay.Exchange(endpoint: .tcp(address: "127.0.0.13", port: 9000), payload: [3], timeout: 3)])
        #expect(String(decoding: bytes, as: UTF8.self) == "unix /run/a.sock 2.0 2\n\u{1}\u{2}tcp 127.0.0.13 9000 3.0 1\n\u{3}")
        let answers = Relay.decode(Array("ok 4 2 \nhirefused 1 0 [Errno 111] Connection refused\n".utf8), count: 2)
        #expect(answers == [Relay.Answer(outcome: .ok, milliseconds: 4, bytes: Array("hi".utf8), message: ""),
                            Relay.Answer(outcome: .refused, milliseconds: 1, bytes: [], message: "[Errno 111] Connection refused")])
        #expect(Relay.decode(Array("ok 4 9 \nhi".utf8), count: 1) == nil)
    }

    static let worker = Probe(tier: .workers, host: "app1", endpoint: .tcp(address: "127.0.0.13", port: 9000),
                              kind: .fastcgi(path: "/health", scriptName: ""), label: "pool main instance 0", timeout: 5)

    @Test func aWorkerIsHealthyOnlyWithACompleteAnswerBelow400() {
        func answer(_ status: Int, stderr: String = "") -> Relay.Answer {
            Relay.Answer(outcome: .ok, milliseconds: 2, bytes: FastCGITests.reply("Status: \(status) X\r\n\r\nbody", stderr: stderr), message: "")
        }
        #expect(Self.worker.evaluate(answer(200)).healthy)
        let failing = Self.worker.evaluate(answer(500, stderr: "ImportError: no module named shop"))
        #expect(!failing.healthy && failing.status == 500 && failing.stderr == "ImportError: no module named shop")
        #expect(!Self.worker.evaluate(answer(404)).healthy)
        let cut = Self.worker.evaluate(Relay.Answer(outcome: .ok, milliseconds: 1, bytes: [1, 6, 0], message: ""))
        #expect(!cut.healthy && cut.answer == "the answer stopped in the middle of a record")
        for (outcome, words) in [(Relay.Outcome.refused, "connection refused"), (.timeout, "no answer in time"), (.reset, "connection reset"), (.denied, "permission denied")] {
            let r = Self.worker.evaluate(Relay.Answer(outcome: outcome, milliseconds: 1, bytes: [], message: "m"))
            #expect(!r.healthy && r.answer.hasPrefix(words), "\(outcome)")
        }
    }

    @Test func aStaticProbeWantsTheRightContentType() {
        let probe = Probe(tier: .middle, host: "m", endpoint: .tcp(address: "127.0.0.12", port: 8000),
                          kind: .http(path: "/static/site.css", contentType: "text/css"), label: "static", timeout: 5)
        let good = Relay.Answer(outcome: .ok, milliseconds: 1, bytes: Array("HTTP/1.1 200 OK\r\nContent-Type: text/css; charset=utf-8\r\n\r\nx".utf8), message: "")
        #expect(probe.evaluate(good).healthy)
        let wrong = Relay.Answer(outcome: .ok, milliseconds: 1, bytes: Array("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nx".utf8), message: "")
        #expect(probe.evaluate(wrong).answer == "200 with Content-Type 'application/octet-stream', expected 'text/css'")
    }

    @Test func probesOfEachTierFollowTheManifest() throws {
        let t = Topology(try Fixtures.manifest("full"))
        #expect(Probes.workers(t, host: "web").map(\.kind) == [.fastcgi(path: "/", scriptName: "/admin")])
        #expect(Probes.workers(t, host: "app1").map(\.endpoint) == [.tcp(address: "127.0.1.21", port: 9000), .tcp(address: "127.0.1.21", port: 9001)])
        #expect(Probes.middle(t, host: "web").map(\.kind) == [
            .http(path: "/static/health.txt", contentType: "text/plain"),
            .http(path: "/health", contentType: nil),
        ])
        #expect(Probes.middle(t, host: "web").map(\.site.hostHeader) == ["shop.example.test", "shop.example.test"])
        #expect(Probes.front(t, host: "edge").map(\.endpoint) == [.tcp(address: "127.0.1.10", port: 80)])
    }

    /// Django refuses a Host outside ALLOWED_HOSTS: every tier's probe names the site as a
    /// visitor's request through the front would, over HTTPS when the front serves it.
    @Test func probesNameTheSiteAsARequestThroughTheFrontWould() throws {
        var m = try Fixtures.manifest("full")
        m.front.port = 8080
        m.front.scheme = "http"
        var t = Topology(m)
        let worker = try #require(Probes.workers(t, host: "web").first)
        #expect(worker.site == ProbeSite(name: "shop.example.test", port: 8080, https: false))
        var params = Dictionary(uniqueKeysWithValues: FastCGI.getParams(path: "/", site: worker.site))
        #expect(params["HTTP_HOST"] == "shop.example.test:8080" && params["SERVER_NAME"] == "shop.example.test")
        #expect(params["SERVER_PORT"] == "8080" && params["HTTPS"] == nil)

        m.front.tls = FrontTLS(certificate: .onHost(path: "/etc/c.pem"), key: .onHost(path: "/etc/k.pem"))
        for i in m.pools.indices { m.pools[i].health.host = "www.shop.example.test" }
        m.middle.appHealth.host = "api.shop.example.test"
        t = Topology(m)
        let secure = try #require(Probes.workers(t, host: "web").first)
        #expect(secure.site == ProbeSite(name: "www.shop.example.test", port: 443, https: true))
        params = Dictionary(uniqueKeysWithValues: FastCGI.getParams(path: "/", site: secure.site))
        #expect(params["HTTP_HOST"] == "www.shop.example.test" && params["SERVER_PORT"] == "443" && params["HTTPS"] == "on")
        let app = try #require(Probes.middle(t, host: "web").last)
        let request = String(decoding: app.exchange.payload, as: UTF8.self)
        #expect(request.contains("Host: api.shop.example.test\r\n") && request.contains("X-Forwarded-Proto: https\r\n"))
        let front = try #require(Probes.front(t, host: "edge").first)
        #expect(front.site.hostHeader == "shop.example.test" && front.tls == "shop.example.test")
    }

    @Test func theProberRetriesUntilHealthyWithinTheTiersTime() async throws {
        let calls = Counter()
        let transport = FakeTransport(hostName: "app1") { command in
            let n = calls.next()
            return .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers(command, fastcgiStatus: n < 3 ? 502 : 200)))
        }
        let results = try await Prober(clock: ImmediateClock()).check([Self.worker], over: transport)
        #expect(results.map(\.healthy) == [true])
        #expect(transport.commands.count == 3)
    }

    /// An answer over the slow threshold (1 s) is asked once more: the faster healthy answer
    /// stands, so one held-up answer is not slowness; slow twice stays slow.
    @Test(arguments: [(1500, 20, 20), (1500, 1400, 1400), (1500, 1700, 1500)])
    func aSlowAnswerIsAskedOnceMore(first: Int, second: Int, kept: Int) async throws {
        let calls = Counter()
        let transport = FakeTransport(hostName: "app1") { command in
            let ms = calls.next() == 1 ? first : second
            return .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers(command, fastcgiStatus: 200, milliseconds: ms)))
        }
        let results = try await Prober(clock: ImmediateClock()).check([Self.worker], over: transport)
        #expect(transport.commands.count == 2)
        #expect(results.map(\.milliseconds) == [kept] && results[0].isSlow == (kept > 1000))
        #expect(results[0].heldUp == (kept < first ? first : nil))
    }

    @Test func aFastAnswerIsNotAskedAgainNorASlowOneWhoseSecondRoundFails() async throws {
        let fast = FakeTransport(hostName: "app1") { .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers($0, fastcgiStatus: 200, milliseconds: 999))) }
        _ = try await Prober(clock: ImmediateClock()).check([Self.worker], over: fast)
        #expect(fast.commands.count == 1)
        let calls = Counter()
        let cut = FakeTransport(hostName: "app1") { command in
            calls.next() == 1 ? .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers(command, fastcgiStatus: 200, milliseconds: 1500)))
                : .failure(.unreachable(host: "app1", message: "gone"))
        }
        let results = try await Prober(clock: ImmediateClock()).check([Self.worker], over: cut)
        #expect(cut.commands.count == 2 && results.map(\.milliseconds) == [1500] && results[0].isSlow)
    }

    @Test func theProberGivesUpWithTheLastAnswer() async throws {
        let transport = FakeTransport(hostName: "app1") { .success(CommandOutput(status: 0, stdout: FakeHost.relayAnswers($0, fastcgiStatus: 500, stderr: "boom"))) }
        let results = try await Prober(clock: ImmediateClock()).check([Self.worker], over: transport)
        #expect(results.map(\.healthy) == [false] && results[0].answer == "500 ok" && results[0].stderr == "boom")
        // 5 s with backoff 0.1, 0.2, 0.4, 0.8, then 1 s steps: a bounded number of tries.
        #expect(transport.commands.count >= 5 && transport.commands.count <= 10)
    }
}

final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLockLike()
    func next() -> Int { lock.run { n += 1; return n } }
}

/// A tiny lock for test counters.
final class NSLockLike: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    func run<T>(_ body: () -> T) -> T { pthread_mutex_lock(&m); defer { pthread_mutex_unlock(&m) }; return body() }
}
