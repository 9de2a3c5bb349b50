import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// The tests' YAML editor writes back a document that means the same, and edits by key path.
@Suite struct YAMLEditTests {
    static var manifests: [String] {
        let examples = ["deploy.yml.example"] + ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.repoRoot.appendingPathComponent("examples").path)) ?? [])
            .filter { $0.hasSuffix(".yml") }.map { "examples/" + $0 }
        return examples + Fixtures.manifestNames.map { "Tests/Fixtures/manifests/\($0).yml" }
    }

    @Test(arguments: manifests)
    func writtenBackItMeansTheSame(_ path: String) throws {
        let text = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent(path), encoding: .utf8)
        let again = try YAMLEdit(text).text
        let before = try YAMLJSON.json(text), after = try YAMLJSON.json(again)
        #expect(before == after, "\(again)")
    }

    @Test func anEditChangesOneKeyAndAMissingPathIsAnError() throws {
        var doc = try YAMLEdit("name: shop\npools:\n  main: { hosts: [a, b], env: { A: '1' } }\n")
        try doc.set("pools.main.env.B", .text("1.5"))
        try doc.append("pools.main.hosts", "c")
        try doc.set("pools.main.hosts.0", "z")
        #expect(doc.text == "name: shop\npools:\n  main:\n    hosts:\n      - z\n      - b\n      - c\n    env:\n      A: \"1\"\n      B: \"1.5\"\n")
        #expect(throws: YAMLEdit.EditError.self) { try doc.set("pools.nope.env.B", "x") }
        #expect(throws: YAMLEdit.EditError.self) { try doc.change("pools.main.user") { $0 } }
        #expect(throws: YAMLEdit.EditError.self) { try doc.append("pools.main.env", "x") }
        #expect(try YAMLJSON.json(doc.text) == YAMLJSON.json("name: shop\npools: { main: { hosts: [z, b, c], env: { A: '1', B: '1.5' } } }"))
    }
}
