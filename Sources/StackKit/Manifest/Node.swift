/// A position in a source file, 1-based. `file` says which file of a destination's pair:
/// 0 the manifest, 1 its overlay (`deploy.NAME.yml`); the caller knows their names.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var file: Int

    public init(line: Int, column: Int, file: Int = 0) {
        self.line = line
        self.column = column
        self.file = file
    }

    public static func < (a: Mark, b: Mark) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A YAML node with the position where it starts. Keys of a mapping keep their order.
public indirect enum Node: Sendable, Equatable {
    case scalar(String, Mark, quoted: Bool)
    case sequence([Node], Mark)
    case mapping([(key: Node, value: Node)], Mark)

    public var mark: Mark {
        switch self {
        case .scalar(_, let m, _), .sequence(_, let m), .mapping(_, let m): m
        }
    }

    /// The text of a scalar, nil for collections.
    public var scalarText: String? {
        if case .scalar(let s, _, _) = self { return s }
        return nil
    }

    /// A YAML 1.1/1.2 null: `~`, `null`, or an empty plain scalar.
    public var isNull: Bool {
        guard case .scalar(let s, _, let quoted) = self, !quoted else { return false }
        return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    public var kindName: String {
        switch self {
        case .scalar: isNull ? "null" : "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    public static func == (a: Node, b: Node) -> Bool {
        switch (a, b) {
        case let (.scalar(x, mx, qx), .scalar(y, my, qy)): x == y && mx == my && qx == qy
        case let (.sequence(x, mx), .sequence(y, my)): x == y && mx == my
        case let (.mapping(x, mx), .mapping(y, my)):
            mx == my && x.count == y.count
                && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}

extension Node {
    /// How many nodes this one holds, itself included.
    var size: Int {
        switch self {
        case .scalar: 1
        case .sequence(let items, _): items.reduce(1) { $0 + $1.size }
        case .mapping(let pairs, _): pairs.reduce(1) { $0 + $1.key.size + $1.value.size }
        }
    }

    /// The same value with every position set to `mark`: an alias's copy, placed where it is used.
    func moved(to mark: Mark) -> Node {
        switch self {
        case .scalar(let text, _, let quoted): .scalar(text, mark, quoted: quoted)
        case .sequence(let items, _): .sequence(items.map { $0.moved(to: mark) }, mark)
        case .mapping(let pairs, _): .mapping(pairs.map { ($0.key.moved(to: mark), $0.value.moved(to: mark)) }, mark)
        }
    }
}
