import Foundation
import Testing
@testable import StackKit

/// The published JSON Schema: generated from the decoder's shapes, valid draft 2020-12, taking
/// every example, fixture and generated manifest, refusing every bad manifest whose rule a
/// schema can say, and agreeing with the decoder value by value. Checked by Debian's
/// python3-jsonschema, a validator that is not ours.
@Suite struct SchemaTests {
    static let published = Fixtures.repoRoot.appendingPathComponent("schema/deploy.schema.json")

    @Test func thePublishedSchemaIsTheGeneratedOne() throws {
        if ProcessInfo.processInfo.environment["STACKCTL_UPDATE_GOLDEN"] == "1" {
            try Data(JSONSchema.text.utf8).write(to: Self.published)
        }
        let text = try String(contentsOf: Self.published, encoding: .utf8)
        #expect(text == JSONSchema.text, "schema/deploy.schema.json is stale: run `stackctl schema > schema/deploy.schema.json`")
    }

    @Test func theExamplesPointEditorsAtTheSchema() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: Fixtures.repoRoot.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".yml") }
        #expect(examples.count >= 2)
        for name in examples {
            let text = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("examples/\(name)"), encoding: .utf8)
            #expect(text.hasPrefix("# yaml-language-server: $schema=../schema/deploy.schema.json\n"), "examples/\(name)")
        }
        #expect(ExampleManifest.text.hasPrefix(ExampleManifest.schemaComment + "\n"))
        #expect(ExampleManifest.forProject(schema: "/opt/share/stackctl/deploy.schema.json").hasPrefix("# yaml-language-server: $schema=/opt/share/stackctl/deploy.schema.json\n"))
        #expect(!ExampleManifest.forProject(schema: nil).contains("yaml-language-server"))
    }

    /// Every file a user or a test starts from, and 200 generated manifests, are valid.
    @Test(.needsJSONSchema) func everyExampleFixtureAndGeneratedManifestIsValid() throws {
        guard try Self.validatorHere() else { return }
        var cases: [SchemaValidator.Case] = []
        let root = Fixtures.repoRoot
        var files = ["deploy.yml.example"] + Fixtures.manifestNames.map { "Tests/Fixtures/manifests/\($0).yml" }
        files += try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".yml") }.map { "examples/\($0)" }
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            cases.append(.init(name: file, schema: "manifest", instance: try #require(try YAMLJSON.json(text))))
        }
        for i in 0..<200 {
            var g = ManifestGenerator(seed: GeneratedManifestTests.seed &+ UInt64(i), root: "/tmp/x\(i)")
            cases.append(.init(name: "generated \(i)", schema: "manifest", instance: try #require(try YAMLJSON.json(g.manifest()))))
        }
        let results = try SchemaValidator.check(cases, schemas: ["manifest": JSONSchema.manifest])
        #expect(results.count == cases.count)
        for result in results.values where !result.valid {
            Issue.record("\(result.name): the schema refuses it: \(result.error ?? "")")
        }
    }

    static func validatorHere() throws -> Bool {
        if SchemaValidator.available { return true }
        Issue.record("python3-jsonschema is missing: a test that needs it carries .needsJSONSchema")
        return false
    }
}
