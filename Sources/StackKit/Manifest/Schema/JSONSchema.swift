/// A JSON type a YAML scalar resolves to, as editors read YAML (1.2's core schema).
public enum JSONType: String, Sendable {
    case string, integer, number, boolean
}

/// What a value rule says in JSON Schema terms, beyond its characters.
public enum SchemaCheck: Sendable, Equatable {
    case pattern(String)
    case notPattern(String)
    case maxLength(Int)
}

/// The JSON Schema (draft 2020-12) of deploy.yml, generated from `ManifestShape`: the keys,
/// required keys, value rules, ranges, choices and key rules the decoder applies. What a schema
/// cannot say (a route's pool exists, ports on a host differ, a file is readable) is left to
/// `stackctl validate`.
public enum JSONSchema {
    public static let draft = "https://json-schema.org/draft/2020-12/schema"

    public static var manifest: JSONValue {
        .object([("$schema", .string(draft)), ("title", .string("stackctl deploy.yml"))] + objectPairs(ManifestShape.root))
    }

    /// The published text: `schema/deploy.schema.json`.
    public static var text: String { manifest.text() + "\n" }

    static func schema(_ shape: Shape) -> JSONValue {
        switch shape {
        case .string(let rule): string(rule)
        case .integer(let range): .object([("type", .string("integer")), ("minimum", .int(range.lowerBound)), ("maximum", .int(range.upperBound))])
        case .boolean: .object([("anyOf",
            .array([.object([("type", .string("boolean"))]),
            .object([("type", .string("string")), ("pattern", .string(anyCase(NodeReader.trueWords + NodeReader.falseWords)))])]))])
        case .duration:
            .object([("anyOf", .array([
                .object([("type", .string("number")), ("exclusiveMinimum", .int(0)), ("maximum", .int(3600))]),
                .object([("type", .string("string")), ("pattern", .string(#"^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(s|ms)?|([0-5]?[0-9](\.[0-9]*)?|\.[0-9]+|60(\.0*)?)m)$"#))]),
            ]))])
        case .choice(let values): .object([("enum", .array(values.map(JSONValue.string)))])
        case .strings(let rule, let unique):
            .object([("anyOf", .array([string(rule),
                .object([("type", .string("array")), ("items", string(rule))] + (unique ? [("uniqueItems", .bool(true))] : []))]))])
        case .object(let object): .object(objectPairs(object))
        case .named(let key, let value, let atLeastOne):
            .object([("type", .string("object")), ("propertyNames", string(key, asKey: true)), ("additionalProperties", schema(value))]
                + (atLeastOne ? [("minProperties", .int(1))] : []))
        case .either(let shapes): .object([("anyOf", .array(shapes.map(schema)))])
        case .localPath: .object([("type", .string("string")), ("minLength", .int(1)), ("pattern", .string(characters(ValueRule.path.characters)))])
        }
    }

    /// The rule's schema; a mapping key is always a string, whatever it looks like.
    static func string(_ rule: ValueRule, asKey: Bool = false) -> JSONValue {
        let types: [JSONType] = [.string] + (asKey ? [] : rule.scalars)
        var pairs: [(String, JSONValue)] = [("type", types.count == 1 ? .string("string") : .array(types.map { .string($0.rawValue) }))]
        pairs += [("minLength", .int(1)), ("pattern", .string(characters(rule.characters)))]
        var more: [JSONValue] = []
        for check in rule.schema {
            switch check {
            case .pattern(let p): more.append(.object([("pattern", .string(p))]))
            // `pattern` holds for anything but text, so `not` names the type: a number stays valid.
            case .notPattern(let p): more.append(.object([("not", .object([("type", .string("string")), ("pattern", .string(p))]))]))
            case .maxLength(let n): pairs.append(("maxLength", .int(n)))
            }
        }
        if !more.isEmpty { pairs.append(("allOf", .array(more))) }
        return .object(pairs)
    }

    /// The rule's characters as a pattern over the whole value.
    static func characters(_ characters: ValueRule.Characters) -> String {
        switch characters {
        case .ascii(let extra):
            let escaped = extra.map { "\\^-[]".contains($0) ? "\\\($0)" : String($0) }.joined()
            return "^[A-Za-z0-9\(escaped)]*$"
        case .line:
            return #"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"#
        }
    }

    /// `^(true|yes|...)$` in any case, without inline flags (not every regex dialect has them).
    static func anyCase(_ words: [String]) -> String {
        "^(" + words.map { $0.map { c in c.isLetter ? "[\(c.lowercased())\(c.uppercased())]" : String(c) }.joined() }.joined(separator: "|") + ")$"
    }
}
