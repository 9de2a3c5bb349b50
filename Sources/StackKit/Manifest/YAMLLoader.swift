import CYAML

/// Parses YAML text with libyaml into `Node`s that keep line and column.
/// Rejects what a manifest never needs and would only hide mistakes:
/// duplicate keys, several documents, non-scalar keys. Aliases are resolved.
public enum YAMLLoader {
    /// `file` goes into every position: 0 for a manifest, 1 for a destination's overlay.
    public static func load(_ text: String, file: Int = 0) throws(ManifestError) -> Node? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw ManifestError([Diagnostic(mark: Mark(line: 1, column: 1, file: file), path: "", message: "cannot initialise the YAML parser")])
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(ManifestError) -> Node? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = Builder(parser: parser, bytes: bytes, file: file)
            defer { parser = builder.parser }
            do throws(ManifestError) {
                return try builder.document()
            } catch {
                throw withTabHint(error, text: text)
            }
        }
    }

    /// libyaml's message for a tab in indentation does not say "tab"; the line does.
    static func withTabHint(_ error: ManifestError, text: String) -> ManifestError {
        guard var first = error.diagnostics.first, first.message.hasPrefix("YAML syntax error") else { return error }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.mark.line <= lines.count, lines[first.mark.line - 1].prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") else { return error }
        first.hint = "indent with spaces, not tabs"
        return ManifestError([first] + error.diagnostics.dropFirst())
    }

    struct Builder {
        var parser: yaml_parser_t
        /// The text, for positions that libyaml gives as a byte offset.
        let bytes: [UInt8]
        /// Which file of a destination's pair (`Mark.file`).
        let file: Int
        var anchors: [String: Node] = [:]
        /// Key path of the node being built, for messages.
        var path: [String] = []
        /// How many sequences and mappings enclose the node being built. Building recurses, so
        /// a bound keeps thousands of nested `[[[[` from overflowing the stack.
        var depth = 0
        static let maxDepth = 64
        /// Values copied by aliases so far: nested aliases would otherwise grow exponentially.
        var expanded = 0
        static let maxExpansion = 10_000

        mutating func enter(_ start: Mark) throws(ManifestError) {
            depth += 1
            guard depth <= Self.maxDepth else {
                throw ManifestError([Diagnostic(mark: start, path: "", message: "YAML nested deeper than \(Self.maxDepth) levels",
                                                hint: "a manifest needs a handful of levels")])
            }
        }

        var pathText: String {
            path.reduce("") { $1.hasPrefix("[") || $0.isEmpty ? $0 + $1 : $0 + "." + $1 }
        }

        mutating func next() throws(ManifestError) -> yaml_event_t {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                var problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                var mark = Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1, file: file)
                if parser.error == YAML_READER_ERROR {
                    // The reader gives a byte offset, not a mark.
                    mark = Self.mark(atByte: Int(parser.problem_offset), in: bytes, file: file)
                    if parser.problem_value >= 0 { problem += " (\(Self.describe(parser.problem_value)))" }
                }
                var message = "YAML syntax error: \(problem)"
                if let context = parser.context.map({ String(cString: $0) }) {
                    message += " (\(context) at line \(parser.context_mark.line + 1))"
                }
                throw ManifestError([Diagnostic(mark: mark, path: "", message: message)])
            }
            return event
        }

        mutating func document() throws(ManifestError) -> Node? {
            var root: Node?
            var documents = 0
            while true {
                var event = try next()
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT:
                    continue
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        throw ManifestError([Diagnostic(mark: mark(event.start_mark), path: "",
                            message: "a manifest is one YAML document; found a second one")])
                    }
                case YAML_STREAM_END_EVENT:
                    return root
                default:
                    root = try node(from: &event)
                }
            }
        }

        /// Line and column (in characters, as libyaml counts them) of a byte offset.
        static func mark(atByte offset: Int, in bytes: [UInt8], file: Int = 0) -> Mark {
            let before = bytes.prefix(max(0, min(offset, bytes.count)))
            let lineStart = (before.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
            let line = before.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            let column = bytes[lineStart..<before.count].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            return Mark(line: line, column: column, file: file)
        }

        static func describe(_ value: Int32) -> String {
            let hex = String(value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }

        func mark(_ m: yaml_mark_t) -> Mark { Mark(line: Int(m.line) + 1, column: Int(m.column) + 1, file: file) }

        mutating func node(from event: inout yaml_event_t) throws(ManifestError) -> Node {
            let start = mark(event.start_mark)
            switch event.type {
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                guard let target = anchors[name] else {
                    throw ManifestError([Diagnostic(mark: start, path: "", message: "unknown alias '*\(name)'")])
                }
                // A value reached through an alias is reported where it is used, not at its anchor.
                expanded += target.size
                guard expanded <= Self.maxExpansion else {
                    throw ManifestError([Diagnostic(mark: start, path: pathText, message: "YAML aliases expand to more than \(Self.maxExpansion) values",
                                                    hint: "a manifest needs a few hundred")])
                }
                return target.moved(to: start)
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                let quoted = s.style != YAML_PLAIN_SCALAR_STYLE
                let n = Node.scalar(text, start, quoted: quoted)
                if let a = s.anchor { anchors[String(cString: a)] = n }
                return n
            case YAML_SEQUENCE_START_EVENT:
                try enter(start)
                defer { depth -= 1 }
                let anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
                var items: [Node] = []
                while true {
                    var e = try next()
                    defer { yaml_event_delete(&e) }
                    if e.type == YAML_SEQUENCE_END_EVENT { break }
                    path.append("[\(items.count)]")
                    defer { path.removeLast() }
                    items.append(try node(from: &e))
                }
                let n = Node.sequence(items, start)
                if let anchor { anchors[anchor] = n }
                return n
            case YAML_MAPPING_START_EVENT:
                try enter(start)
                defer { depth -= 1 }
                let anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
                var pairs: [(key: Node, value: Node)] = []
                var seen: [String: Mark] = [:]
                while true {
                    var k = try next()
                    defer { yaml_event_delete(&k) }
                    if k.type == YAML_MAPPING_END_EVENT { break }
                    let key = try node(from: &k)
                    guard let keyText = key.scalarText else {
                        throw ManifestError([Diagnostic(mark: key.mark, path: "", message: "a mapping key must be a plain string, not \(key.kindName)")])
                    }
                    path.append(keyText)
                    defer { path.removeLast() }
                    if let first = seen[keyText] {
                        throw ManifestError([Diagnostic(mark: key.mark, path: pathText, message: "duplicate key '\(keyText)'",
                            hint: "first given at \(first)")])
                    }
                    seen[keyText] = key.mark
                    var v = try next()
                    defer { yaml_event_delete(&v) }
                    pairs.append((key, try node(from: &v)))
                }
                let n = Node.mapping(pairs, start)
                if let anchor { anchors[anchor] = n }
                return n
            default:
                throw ManifestError([Diagnostic(mark: start, path: "", message: "unexpected YAML event")])
            }
        }
    }
}
