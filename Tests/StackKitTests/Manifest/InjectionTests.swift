import Foundation
import Testing
@testable import StackKit

/// No manifest value can add a directive to a rendered file or a command.
@Suite struct InjectionTests {
    static let hostile = ["\"", "\n", "\r", "{", "}", ";", "$", "'", "\u{1}", " ", "#", "\\", "`"]

    @Test(arguments: hostile)
    func everyRenderedStringKindRefusesDirectiveCharacters(ch: String) {
        // A valid sample per kind; the character goes in after its first letter.
        let rules: [(String, ValueRule)] = [("ab", .name), ("/ab", .path), ("ab", .address), ("ab", .serverName),
                                            ("ab", .account), ("/ab", .urlPrefix), ("/ab", .urlPath),
                                            ("a:b", .wsgi), ("a/b", .mimeType), ("ab", .extensionName)]
        for (sample, rule) in rules {
            #expect(rule.problem(in: sample) == nil, "\(sample) should be valid")
            var bad = sample
            bad.insert(contentsOf: ch, at: bad.index(after: bad.firstIndex(where: \.isLetter)!))
            #expect(rule.problem(in: bad) != nil, "\(rule.what) accepted \(bad.debugDescription)")
        }
    }

    @Test func envValuesKeepQuotesAsDataInPoolJSON() throws {
        let m = try Fixtures.manifest("full")
        let app1 = try #require(StackRenderer(m).renderAll().first { $0.host.name == "app1" })
        let json = try #require(app1.files.first { $0.path.hasSuffix("pool.json") })
        let decoded = try JSONSerialization.jsonObject(with: Data(json.contents.utf8)) as? [String: Any]
        let env = decoded?["environment"] as? [[String]]
        #expect(env?.last == ["MOTTO", "say \"hi\"; {ok} $HOME"])
    }

    @Test func controlCharactersInEnvValuesAreRefused() {
        let problems = Fixtures.problems(BadManifestCases.valid + "\n    env: { A: \"x\\u0007y\" }")
        #expect(problems == ["17:15: pools.main.env.A: value 'x\\u{07}y' contains a control character (U+7) (allowed: any text without control characters or newlines)"])
    }

    @Test func dialectQuotingEscapesWhatEachDialectTreatsSpecially() {
        #expect(Dialect.apache("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(Dialect.lighttpd("a\nb\"") == "\"ab\\\"\"")
        #expect(Dialect.systemd("50%$x") == "\"50%%$$x\"")
        #expect(Dialect.supervisord("/usr/bin/python3") == "/usr/bin/python3")
        #expect(Dialect.supervisord("a b%") == "\"a b%%\"")
        #expect(Dialect.regex("/api.v1") == "/api\\.v1")
    }
}
