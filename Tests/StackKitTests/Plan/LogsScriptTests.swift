import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// `stackctl logs` on a host: which logs, and the script run by a real shell, once and following.
@Suite struct LogsScriptTests {
    @Test func sourcesFollowTheProcessManagerAndTheScope() {
        let plans = ConvergeTests.plans
        let web = plans["web"]!, app1 = plans["app1"]!
        #expect(Scripts.logSources(web, tier: nil, pool: nil).map(\.name) == ["shop-admin-0", "shop-middle", "nginx-error", "supervisord"])
        #expect(Scripts.logSources(web, tier: .middle, pool: nil) == [
            .file(name: "shop-middle", path: "/srv/stackctl/shop/log/shop-middle.log"), .file(name: "nginx-error", path: "/srv/stackctl/shop/log/nginx-error.log"),
        ])
        #expect(Scripts.logSources(app1, tier: .workers, pool: "main") == [.journal(unit: "shop-main@0.service"), .journal(unit: "shop-main@1.service")])
        #expect(Scripts.logSources(app1, tier: .workers, pool: "admin").isEmpty)
    }

    @Test func aJournalFollowPassesItsFlagAsAWord() {
        let text = Scripts.logs([.journal(unit: "shop-main@0.service")], lines: 5, follow: true).argv[2]
        #expect(text.contains("journalctl -u shop-main@0.service -n 5 -o short-iso --no-pager --no-hostname -f 2>/dev/null"), "\(text)")
    }


    @Test func theLastLinesOfEachLogComePrefixedAndAMissingOneIsSkipped() async throws {
        let dir = try Fixtures.temporaryDirectory("logs")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "one\ntwo\nthree\n".write(to: dir.appendingPathComponent("a.log"), atomically: true, encoding: .utf8)
        let command = Scripts.logs([.file(name: "a", path: dir.appendingPathComponent("a.log").path), .file(name: "b", path: dir.appendingPathComponent("b.log").path)], lines: 2, follow: false)
        let out = try await LocalTransport(hostName: "here").run(command)
        #expect(out.stdoutText == "a two\na three\n")
    }

}
