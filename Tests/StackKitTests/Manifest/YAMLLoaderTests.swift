import Testing
@testable import StackKit

@Suite struct YAMLLoaderTests {
    @Test func keepsLineAndColumnOfEveryNode() throws {
        let root = try #require(try YAMLLoader.load("a:\n  b: [x, 'y']\n  c: 3\n"))
        guard case .mapping(let top, let topMark) = root, case .mapping(let inner, _) = top[0].value else {
            Issue.record("expected nested mappings")
            return
        }
        #expect(topMark == Mark(line: 1, column: 1))
        #expect(top[0].key.mark == Mark(line: 1, column: 1))
        #expect(inner[0].key.mark == Mark(line: 2, column: 3))
        guard case .sequence(let items, let seqMark) = inner[0].value else {
            Issue.record("expected a sequence")
            return
        }
        #expect(seqMark == Mark(line: 2, column: 6))
        #expect(items == [.scalar("x", Mark(line: 2, column: 7), quoted: false), .scalar("y", Mark(line: 2, column: 10), quoted: true)])
        #expect(inner[1].value == .scalar("3", Mark(line: 3, column: 6), quoted: false))
    }

    @Test func resolvesAliases() throws {
        let root = try #require(try YAMLLoader.load("base: &b {x: 1}\ncopy: *b\n"))
        guard case .mapping(let pairs, _) = root else {
            Issue.record("expected a mapping")
            return
        }
        // The copy has the anchored value, placed where the alias is used (for messages).
        #expect(pairs[1].value == .mapping([(.scalar("x", Mark(line: 2, column: 7), quoted: false), .scalar("1", Mark(line: 2, column: 7), quoted: false))], Mark(line: 2, column: 7)))
        #expect(pairs[0].value.mark == Mark(line: 1, column: 7))
    }

    @Test func rejectsAnUnknownAlias() {
        #expect(Fixtures.problems("a: *nothing\n") == ["1:4: unknown alias '*nothing'"])
    }

    @Test func emptyTextIsAnEmptyManifest() {
        #expect(Fixtures.problems("") == ["1:1: the manifest is empty"])
        #expect(Fixtures.problems("# only a comment\n") == ["1:1: the manifest is empty"])
    }

    @Test func quotedNullIsAString() throws {
        let root = try #require(try YAMLLoader.load("a: 'null'\nb: null\nc:\n"))
        guard case .mapping(let pairs, _) = root else { return }
        #expect(!pairs[0].value.isNull)
        #expect(pairs[1].value.isNull)
        #expect(pairs[2].value.isNull)
    }

    @Test func nonScalarKeysAreRefused() {
        #expect(Fixtures.problems("? [a, b]\n: 1\n") == ["1:3: a mapping key must be a plain string, not a list"])
    }
}
