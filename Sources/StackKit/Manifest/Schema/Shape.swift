/// What the decoder accepts at one place of a manifest, as data. The decoder reads its keys,
/// required keys, value rules, ranges and choices from here (`NodeReader.object`), and
/// `JSONSchema` turns the same data into the published schema, so the two cannot drift apart.
public indirect enum Shape: Sendable {
    /// One scalar, checked by the rule.
    case string(ValueRule)
    case integer(ClosedRange<Int>)
    /// `true`/`false`, and YAML 1.1's `yes`/`no`/`on`/`off` in any case.
    case boolean
    /// Seconds: `10`, `2.5`, `10s`, `500ms` or `10m`, above 0 and at most an hour.
    case duration
    case choice([String])
    /// A list of scalars, or one scalar as a list of one.
    case strings(ValueRule, unique: Bool)
    case object(ObjectShape)
    /// A mapping whose keys the user names (hosts, pools, routes, env...).
    case named(key: ValueRule, value: Shape, atLeastOne: Bool)
    /// Any one of these forms.
    case either([Shape])
    /// A file or directory on the operator's machine, absolute or relative to the manifest.
    case localPath
}

/// One key of an object.
public struct Field: Sendable {
    public let key: String
    public let shape: Shape
    public let required: Bool
    /// The help an editor shows: what the key does, its default.
    public let doc: String

    public init(_ key: String, _ shape: Shape, required: Bool = false, _ doc: String) {
        self.key = key
        self.shape = shape
        self.required = required
        self.doc = doc
    }
}

/// A rule between keys of one object that no single key's shape can say.
public enum KeyRule: Sendable, Equatable {
    /// Exactly one of these keys.
    case exactlyOne([String])
    /// Never two of these keys together.
    case atMostOne([String])
    /// With the first key, these are refused; without it, the second is required and the last
    /// ones are refused (`source` or `directory`: a pool's code comes one way or the other).
    case either(String, otherwise: String, refusing: [String], without: [String])
    /// Unless the boolean key is true, the second key is required; when true, these are refused.
    case flagged(String, otherwiseRequired: String, refusing: [String])
    /// These keys only with the first one.
    case requires(String, by: [String])
    /// Without the key, one key of each group is required (no `acme`: a certificate and a key).
    case otherwise(String, oneOfEach: [[String]])
    /// When the key has this value, these keys are refused.
    case whenValue(String, is: String, refusing: [String])
    /// With the first key, the object at `in` takes none of `keys`; without it, it requires
    /// `required` (no `middle`: the front serves `static` and `routes`).
    case router(String, in: String, keys: [String], required: [String])
}

/// A mapping with fixed keys.
public struct ObjectShape: Sendable {
    public let doc: String
    public let fields: [Field]
    public var rules: [KeyRule] = []

    public init(_ doc: String, _ fields: [Field], rules: [KeyRule] = []) {
        self.doc = doc
        self.fields = fields
        self.rules = rules
    }

    public var keys: [String] { fields.map(\.key) }
    public var required: [String] { fields.filter(\.required).map(\.key) }

    /// The field the decoder reads; a key missing here is a programming error, caught by tests.
    public subscript(key: String) -> Field {
        guard let field = fields.first(where: { $0.key == key }) else { preconditionFailure("no key '\(key)' in the shape") }
        return field
    }
}

extension Shape {
    /// The objects this shape is or holds, outermost first.
    public var objects: [ObjectShape] {
        switch self {
        case .object(let o): o.all
        case .named(_, let value, _): value.objects
        case .either(let shapes): shapes.flatMap(\.objects)
        default: []
        }
    }
}

extension ObjectShape {
    /// This object and every object within it.
    public var all: [ObjectShape] { [self] + fields.flatMap(\.shape.objects) }
}
