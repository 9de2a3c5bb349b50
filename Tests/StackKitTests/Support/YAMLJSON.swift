import Foundation
@testable import StackKit

/// A YAML document as an editor's YAML parser hands it to a JSON Schema validator: plain
/// scalars resolved by YAML 1.2's core schema (`80` a number, `true` a boolean, `yes` text),
/// quoted ones always text.
enum YAMLJSON {
    static func json(_ yaml: String) throws -> JSONValue? {
        try YAMLLoader.load(yaml).map(json)
    }

    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let text, _, let quoted): quoted ? .string(text) : scalar(text)
        case .sequence(let items, _): .array(items.map(json))
        case .mapping(let pairs, _): .object(pairs.map { ($0.key.scalarText ?? "", json($0.value)) })
        }
    }

    static func scalar(_ text: String) -> JSONValue {
        if ["", "~", "null", "Null", "NULL"].contains(text) { return .null }
        if ["true", "True", "TRUE"].contains(text) { return .bool(true) }
        if ["false", "False", "FALSE"].contains(text) { return .bool(false) }
        if text.wholeMatch(of: /[-+]?[0-9]+/) != nil, let n = Int(text) { return .int(n) }
        if text.hasPrefix("0o"), let n = Int(text.dropFirst(2), radix: 8) { return .int(n) }
        if text.hasPrefix("0x"), let n = Int(text.dropFirst(2), radix: 16) { return .int(n) }
        if text.wholeMatch(of: /[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?/) != nil, let d = Double(text) { return .double(d) }
        return .string(text)
    }
}

/// Debian's python3-jsonschema, run on a batch of instances.
enum SchemaValidator {
    struct Case {
        var name: String
        var schema: String
        var instance: JSONValue
    }

    struct Result: Decodable {
        var name: String
        var valid: Bool
        var error: String?
    }

    static let python = "/usr/bin/python3"

    static var available: Bool {
        (try? Run.run([python, "-c", "import jsonschema"]).status) == 0
    }

    /// Each case's verdict, by name; every schema is first checked against draft 2020-12.
    static func check(_ cases: [Case], schemas: [String: JSONValue]) throws -> [String: Result] {
        let request = JSONValue.object([
            ("schemas", .object(schemas.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            ("cases", .array(cases.map { .object([("name", .string($0.name)), ("schema", .string($0.schema)), ("instance", $0.instance)]) })),
        ])
        let script = Fixtures.repoRoot.appendingPathComponent("Tests/python/schema_check.py").path
        let run = try Run.run([python, "-I", script], input: Data(request.text().utf8))
        guard run.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: run.stderr]) }
        let results = try JSONDecoder().decode([Result].self, from: Data(run.stdout.utf8))
        return Dictionary(results.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
