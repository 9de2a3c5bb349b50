import StackKit

/// A manifest edited as YAML, not as text: read with stackctl's own loader, changed at key
/// paths, written back in block style. Tests say what they change (`pools.main.env.APP_DELAY`)
/// and a change that misses its key fails loudly instead of leaving the text as it was.
/// Comments are not kept.
public struct YAMLEdit: Sendable {
    public indirect enum Value: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
        case scalar(String, quoted: Bool)
        case list([Value])
        case map([Pair])

        public struct Pair: Sendable, Equatable {
            public var key: String
            public var value: Value

            public init(key: String, value: Value) {
                self.key = key
                self.value = value
            }
        }

        /// A plain scalar: `127.0.0.11`, `nginx`, `3`.
        public init(stringLiteral text: String) { self = .scalar(text, quoted: false) }
        public init(arrayLiteral items: Value...) { self = .list(items) }
        /// Text that must stay text (`'1.5'`, `'yes'`).
        public static func text(_ s: String) -> Value { .scalar(s, quoted: true) }
        public static func map(_ pairs: KeyValuePairs<String, Value>) -> Value { .map(pairs.map { Pair(key: $0.key, value: $0.value) }) }
    }

    public enum EditError: Error, CustomStringConvertible {
        case notYAML(String), missing(String)
        public var description: String {
            switch self {
            case .notYAML(let why): "not YAML: \(why)"
            case .missing(let path): "no such key: \(path)"
            }
        }
    }

    public var root: Value

    public init(_ text: String) throws {
        do {
            guard let node = try YAMLLoader.load(text) else { throw EditError.notYAML("empty") }
            root = Self.value(node)
        } catch let error as EditError {
            throw error
        } catch {
            throw EditError.notYAML("\(error)")
        }
    }

    static func value(_ node: Node) -> Value {
        switch node {
        case .scalar(let text, _, let quoted): .scalar(text, quoted: quoted)
        case .sequence(let items, _): .list(items.map(value))
        case .mapping(let pairs, _): .map(pairs.map { Value.Pair(key: $0.key.scalarText ?? "", value: value($0.value)) })
        }
    }

    /// The value at a dotted path (`pools.main.hosts`); a list's items by their index.
    public subscript(path: String) -> Value? {
        var here = root
        for key in path.split(separator: ".").map(String.init) {
            switch here {
            case .map(let pairs):
                guard let next = pairs.first(where: { $0.key == key })?.value else { return nil }
                here = next
            case .list(let items):
                guard let i = Int(key), items.indices.contains(i) else { return nil }
                here = items[i]
            case .scalar: return nil
            }
        }
        return here
    }

    /// Sets the value at a dotted path. Every key but the last must exist; the last is replaced
    /// where it is, or added at the end of its mapping.
    public mutating func set(_ path: String, _ value: Value) throws {
        let keys = path.split(separator: ".").map(String.init)
        root = try Self.set(root, keys[...], value, path)
    }

    /// Changes the value at a dotted path, which must exist.
    public mutating func change(_ path: String, _ edit: (Value) -> Value) throws {
        guard let old = self[path] else { throw EditError.missing(path) }
        try set(path, edit(old))
    }

    /// Appends items to the list at a dotted path, which must exist and be a list.
    public mutating func append(_ path: String, _ items: Value...) throws {
        guard case .list(let old)? = self[path] else { throw EditError.missing(path) }
        try set(path, .list(old + items))
    }

    static func set(_ here: Value, _ keys: ArraySlice<String>, _ value: Value, _ path: String) throws -> Value {
        guard let key = keys.first else { return value }
        switch here {
        case .map(var pairs):
            if let i = pairs.firstIndex(where: { $0.key == key }) {
                pairs[i].value = try set(pairs[i].value, keys.dropFirst(), value, path)
            } else if keys.count == 1 {
                pairs.append(Value.Pair(key: key, value: value))
            } else {
                throw EditError.missing(path)
            }
            return .map(pairs)
        case .list(var items):
            guard let i = Int(key), items.indices.contains(i) else { throw EditError.missing(path) }
            items[i] = try set(items[i], keys.dropFirst(), value, path)
            return .list(items)
        case .scalar:
            throw EditError.missing(path)
        }
    }

    /// The document in block style; every scalar that is not a plain word is double-quoted.
    public var text: String { Self.lines(root, indent: "").joined(separator: "\n") + "\n" }

    static func lines(_ value: Value, indent: String) -> [String] {
        switch value {
        case .scalar: return [indent + scalar(value)]
        case .list(let items) where items.isEmpty: return [indent + "[]"]
        case .map(let pairs) where pairs.isEmpty: return [indent + "{}"]
        case .list(let items):
            return items.flatMap { item -> [String] in
                if case .scalar = item { return [indent + "- " + scalar(item)] }
                let nested = lines(item, indent: indent + "  ")
                return [indent + "- " + nested[0].dropFirst(indent.count + 2)] + nested.dropFirst()
            }
        case .map(let pairs):
            return pairs.flatMap { pair -> [String] in
                let key = indent + scalar(.scalar(pair.key, quoted: false)) + ":"
                switch pair.value {
                case .scalar: return [key + " " + scalar(pair.value)]
                case .list(let items) where items.isEmpty: return [key + " []"]
                case .map(let pairs) where pairs.isEmpty: return [key + " {}"]
                default: return [key] + lines(pair.value, indent: indent + "  ")
                }
            }
        }
    }

    static func scalar(_ value: Value) -> String {
        guard case .scalar(let text, let quoted) = value else { return "" }
        let plain = !quoted && !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "._/-@+:$%~=,".contains($0) || $0 == " " }
            && !text.hasPrefix(" ") && !text.hasSuffix(" ") && !text.contains(": ") && !text.hasSuffix(":")
            && !"-?:,@%".contains(text.first!)
        // A JSON string is a YAML double-quoted scalar.
        return plain ? text : JSONValue.quoted(text)
    }
}
