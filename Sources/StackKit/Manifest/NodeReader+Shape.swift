/// An object read through its shape: the keys it may have and must have, and each key's rule,
/// range or choices, come from `ManifestShape`, the same data the JSON Schema is made of.
struct ShapedFields {
    let r: NodeReader
    let path: String
    let shape: ObjectShape
    let nodes: [String: Node]
    /// Where the object starts: missing keys are reported here.
    let mark: Mark

    subscript(key: String) -> Node? {
        _ = shape[key]
        return nodes[key]
    }

    func path(_ key: String) -> String { NodeReader.join(path, key) }

    func string(_ key: String) -> String? {
        guard case .string(let rule) = shape[key].shape else { preconditionFailure("'\(key)' is not a string in the shape") }
        return r.string(nodes[key], path(key), rule: rule)
    }

    func int(_ key: String, what: String = "a whole number") -> Int? {
        guard case .integer(let range) = shape[key].shape else { preconditionFailure("'\(key)' is not an integer in the shape") }
        return r.int(nodes[key], path(key), in: range, what: what)
    }

    func bool(_ key: String) -> Bool? {
        guard case .boolean = shape[key].shape else { preconditionFailure("'\(key)' is not a boolean in the shape") }
        return r.bool(nodes[key], path(key))
    }

    func duration(_ key: String) -> Double? {
        guard case .duration = shape[key].shape else { preconditionFailure("'\(key)' is not a duration in the shape") }
        return r.duration(nodes[key], path(key))
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E? where E.RawValue == String {
        guard case .choice = shape[key].shape else { preconditionFailure("'\(key)' is not a choice in the shape") }
        return r.choice(nodes[key], path(key), type)
    }

    func strings(_ key: String) -> [(text: String, mark: Mark, index: Int)]? {
        guard case .strings(let rule, _) = shape[key].shape else { preconditionFailure("'\(key)' is not a list in the shape") }
        return r.strings(nodes[key], path(key), rule: rule)
    }
}

extension NodeReader {
    /// The object's fields, with unknown keys reported (and a close one suggested) and the
    /// shape's required keys reported missing, hints from `hints`.
    func object(_ node: Node, _ path: String, _ shape: ObjectShape, hints: [String: String] = [:]) -> ShapedFields? {
        guard let nodes = mapping(node, path, known: shape.keys) else { return nil }
        for key in shape.required { require(nodes, key, in: path, at: node.mark, hint: hints[key]) }
        return ShapedFields(r: self, path: path, shape: shape, nodes: nodes, mark: node.mark)
    }

    /// An optional object's fields; none (every key at its default) when it is absent or broken.
    func object(_ node: Node?, _ path: String, _ shape: ObjectShape) -> ShapedFields {
        node.flatMap { object($0, path, shape) }
            ?? ShapedFields(r: self, path: path, shape: shape, nodes: [:], mark: node?.mark ?? marks[""] ?? Mark(line: 1, column: 1))
    }
}
