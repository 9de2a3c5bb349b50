import Foundation
import Testing
@testable import StackKit

/// The script builder quotes every value for its context: run through a real `sh`, each value
/// comes back byte for byte and nothing in it runs.
@Suite struct ShellCodeTests {
    static let hostile = [
        "plain", "two words", "it's", "say \"hi\"", "$(touch /tmp/stackctl-pwned)", "`touch /tmp/stackctl-pwned`", "back\\slash",
        "-n", "%s %d", "a;b|c&d", "*", "~root", "${HOME}", "line\nbreak", "STACKCTL_EOF", "", "!x", "tab\there",
    ]

    static func sh(_ code: ShellCode) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", code.text]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: hostile) func aBareWordComesBackAsItIs(value: String) throws {
        #expect(try Self.sh("printf '%s' \(value)") == value)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/stackctl-pwned"))
    }

    @Test(arguments: hostile) func textInDoubleQuotesComesBackAsItIs(value: String) throws {
        #expect(try Self.sh("printf '%s' \"<\(inDoubleQuotes: value)>\"") == "<\(value)>")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/stackctl-pwned"))
    }

    @Test(arguments: hostile) func aMarkerFieldIsDataNeverAFormat(value: String) throws {
        let out = try Self.sh(ShellCode.emit(.release, "main", "\(value)"))
        guard !value.contains("\n") else { return }
        #expect(ScriptOutput(out).markers == [Marker(.release, ["main", value])])
    }

    @Test func aHeredocBodyCannotEndTheDocumentEarly() throws {
        let body = "first\nSTACKCTL_EOF\nrm -rf /nonexistent-stackctl\nSTACKCTL_EOF_1\n$(echo no) `echo no` \\ last"
        let code = ShellCode.heredoc("cat", body)
        #expect(code.text.hasPrefix("cat <<'STACKCTL_EOF_2'\n"))
        #expect(try Self.sh(code) == body + "\n")
    }

    @Test func anArgvIsOneQuotedCommandLine() throws {
        let argv = ["printf", "%s|%s|%s", "a b", "it's", "$x"]
        #expect(try Self.sh("\(argv)") == "a b|it's|$x")
    }

    @Test func markersTravelWithTheCode() {
        let inner = ShellCode.emit(.ok, "x")
        let code: ShellCode = "if true; then \(inner); fi\n" + ShellCode.emit(.staged)
        #expect(code.markers == [.ok, .staged])
    }
}

/// One marker vocabulary: parsing of every tag, and the lines under a failed step.
@Suite struct MarkerTests {
    @Test func everyTagParsesWithItsFields() {
        #expect(Marker.parse("@file abc 644:root:root /srv/a b.conf") == Marker(.file, ["abc", "644:root:root", "/srv/a b.conf"]))
        #expect(Marker.parse("@staged") == Marker(.staged, []))
        #expect(Marker.parse("@staged extra") == nil)
        #expect(Marker.parse("@prepared abc already") == Marker(.prepared, ["abc", "already"]))
        #expect(Marker.parse("@prepared abc") == Marker(.prepared, ["abc"]))
        #expect(Marker.parse("@switched  abc") == Marker(.switched, ["", "abc"]), "no release before")
        #expect(Marker.parse("@proc shop-main@0.service running 12 30") == Marker(.proc, ["shop-main@0.service", "running", "12", "30"]))
        #expect(Marker.parse("@file abc") == nil, "too few fields")
        #expect(Marker.parse("@nosuchtag x") == nil && Marker.parse("| @ok x") == nil && Marker.parse("@") == nil)
        for tag in Marker.Tag.allCases {
            let fields = (0..<tag.arity.upperBound).map { "f\($0)" }
            #expect(Marker.parse(Substring(Marker(tag, fields).line)) == Marker(tag, fields), "\(tag)")
        }
    }

    @Test func theFirstFailureCarriesTheOutputUnderIt() {
        let out = ScriptOutput("@ok dir /srv\n@fail pip install flup (exit 1)\n| ERROR: no network\n| second\n@ok later\n| not this\n")
        #expect(out.failure == "pip install flup (exit 1):\n  ERROR: no network\n  second")
        #expect(ScriptOutput("@invalid /srv/x.conf\n| nginx: [emerg] bad\n").failure == "/srv/x.conf is invalid:\n  nginx: [emerg] bad")
        #expect(ScriptOutput("@ok a\n").failure == nil)
    }

    @Test func theEmbeddedPythonPrintsOnlyKnownMarkers() {
        for source in [SupervisorControl.script, Relay.script, LauncherScript.source] {
            let tags = source.matches(of: #/"@([a-z-]+) /#).map { String($0.output.1) }
            for tag in tags { #expect(Marker.Tag(rawValue: tag) != nil, "@\(tag)") }
        }
        #expect(SupervisorControl.script.contains("\"@running \"") && SupervisorControl.script.contains("\"@proc "))
    }
}
