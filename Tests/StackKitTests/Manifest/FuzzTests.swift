import Testing
@testable import StackKit

/// Thousands of mutated manifests: the loader and validator must never crash, and every problem
/// they report must point inside the text.
@Suite struct FuzzTests {
    /// A small deterministic generator, so a failure replays exactly.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [":", "-", " ", "\n", "\t", "[", "]", "{", "}", "'", "\"", "#", "&a", "*a", "!!str", "|", ">",
                            "?", ",", "~", "null", "0", "-1", "99999", "1e9", "true", "/", "//", "..", ";", "$", "\u{0}", "é",
                            "hosts", "pools", "main", "a", "b", "socket: unix", "server: prefork", "instances: 64", "---", "%YAML 1.1"]

    static func mutate(_ text: String, _ rng: inout SplitMix) -> String {
        var chars = Array(text.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = Int.random(in: 0...chars.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: chars.insert(contentsOf: fragments.randomElement(using: &rng)!.unicodeScalars, at: at)
            case 1: if at < chars.count { chars.remove(at: at) }
            case 2: if at < chars.count { chars.removeSubrange(at..<min(chars.count, at + Int.random(in: 1...20, using: &rng))) }
            default:
                // Duplicate a line somewhere else.
                let lines = String(String.UnicodeScalarView(chars)).split(separator: "\n", omittingEmptySubsequences: false)
                var copy = lines
                copy.insert(lines.randomElement(using: &rng)!, at: Int.random(in: 0...lines.count, using: &rng))
                chars = Array(copy.joined(separator: "\n").unicodeScalars)
            }
        }
        return String(String.UnicodeScalarView(chars))
    }

    @Test(arguments: ["small", "full", "ha"])
    func mutatedManifestsNeverCrashAndAlwaysPointInside(name: String) throws {
        let seed = try Fixtures.text("manifests/\(name).yml")
        var rng = SplitMix(state: UInt64(seed.utf8.count))
        var valid = 0, invalid = 0
        for _ in 0..<1500 {
            let text = Self.mutate(seed, &rng)
            let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count + 1
            do {
                let manifest = try ManifestLoader.parse(text)
                _ = StackRenderer(manifest).renderAll()
                valid += 1
            } catch {
                invalid += 1
                #expect(!error.diagnostics.isEmpty)
                for d in error.diagnostics {
                    #expect(d.mark.line >= 1 && d.mark.line <= lineCount && d.mark.column >= 1, "\(d) in:\n\(text)")
                    #expect(!d.message.isEmpty)
                }
            }
        }
        // The mutations must exercise both outcomes, or the test proves little.
        #expect(valid > 0 && invalid > 0)
    }
}
