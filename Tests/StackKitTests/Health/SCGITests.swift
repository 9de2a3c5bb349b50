import Foundation
import Testing
@testable import StackKit

/// stackctl's SCGI client: the request's netstring, the answer's CGI head, and a probe of a
/// real flup SCGI worker carried by the relay, as `status` and the gates send it.
@Suite struct SCGITests {
    @Test func aRequestIsANetstringWithContentLengthFirst() {
        let bytes = SCGI.request(headers: [("REQUEST_METHOD", "GET"), ("CONTENT_LENGTH", "99"), ("PATH_INFO", "/x")], body: Array("ab".utf8))
        let block = "CONTENT_LENGTH\u{0}2\u{0}SCGI\u{0}1\u{0}REQUEST_METHOD\u{0}GET\u{0}PATH_INFO\u{0}/x\u{0}"
        #expect(bytes == Array("\(block.utf8.count):\(block),ab".utf8))
    }

    @Test func answersGiveTheStatusOrSayWhatIsWrong() {
        #expect(SCGI.parse(Array("Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope".utf8))
                == .response(status: 404, headers: ["status": "404 Not Found", "content-type": "text/plain"], body: Array("nope".utf8)))
        #expect(SCGI.parse([]) == .invalid("the worker closed the connection without answering"))
        #expect(SCGI.parse(Array("HTTP garbage".utf8)) == .invalid("not a CGI response: HTTP garbage"))
    }

    /// A flup SCGI worker, asked through the relay: healthy on /health, the path and query
    /// reach the app as sent, and a FastCGI probe of an SCGI worker fails.
    @Test(.needsTestPython) func aProbeOfARealSCGIWorkerThroughTheRelay() async throws {
        guard let python = ProcessInfo.processInfo.environment["STACKCTL_TEST_PYTHON"] else {
            Issue.record("STACKCTL_TEST_PYTHON is not set: the test carries .needsTestPython")
            return
        }
        let port = Net.freePort()
        let app = Fixtures.repoRoot.appendingPathComponent("examples/app").path
        let processes = LiveProcesses()
        defer { processes.stopAll() }
        let code = "import sys; sys.path.insert(0, '\(app)'); from hello import application; from flup.server.scgi import WSGIServer; "
            + "WSGIServer(application, bindAddress=('127.0.0.1', \(port)), allowedServers=None).run()"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("scgi-\(port).log").path
        _ = try processes.start([python, "-c", code], log: log)
        #expect(Net.wait(15) { Net.canConnect(port: port) })
        let endpoint = Endpoint.tcp(address: "127.0.0.1", port: port)
        let probes = [Probe(tier: .workers, host: "here", endpoint: endpoint, kind: .scgi(path: "/health", scriptName: ""), label: "health", timeout: 5),
                      Probe(tier: .workers, host: "here", endpoint: endpoint, kind: .scgi(path: "/shop?x=1", scriptName: "/admin"), label: "app", timeout: 5),
                      Probe(tier: .workers, host: "here", endpoint: endpoint, kind: .fastcgi(path: "/health", scriptName: ""), label: "fcgi", timeout: 3)]
        let out = try await LocalTransport(hostName: "here").run(Relay.command(probes.map(\.exchange), python: python))
        let answers = try #require(Relay.decode(out.stdout, count: probes.count))
        let results = zip(probes, answers).map { $0.evaluate($1) }
        #expect(results[0].healthy && results[0].status == 200 && results[0].answer == "200 ok", "\(results[0].answer)")
        #expect(results[1].healthy && results[1].answer.contains("\"path_info\": \"/shop\"") && results[1].answer.contains("\"query\": \"x=1\""), "\(results[1].answer)")
        #expect(!results[2].healthy, "a FastCGI probe gets no FastCGI answer from an SCGI worker: \(results[2].answer)")
    }
}
