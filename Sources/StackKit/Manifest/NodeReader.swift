/// Reads typed values out of `Node`s, collecting every problem instead of stopping at the first.
final class NodeReader {
    var diagnostics: [Diagnostic] = []
    var marks: [String: Mark] = [:]
    /// For each host list, where each kept (first) entry stood in the list as written.
    var listIndices: [String: [Int]] = [:]
    /// Key paths an unknown key was taken to be a misspelling of.
    var suggested: Set<String> = []
    /// Local files a secret or a TLS file is read from, with the key that names each: none may
    /// be shipped as a static file.
    var secretFiles: [(key: String, file: String)] = []

    /// Reports a missing required key, unless a misspelt key nearby was already reported for it.
    func require(_ fields: [String: Node], _ key: String, in path: String, at mark: Mark, hint: String? = nil) {
        let keyPath = Self.join(path, key)
        guard fields[key] == nil, !suggested.contains(keyPath) else { return }
        fail(mark, keyPath, "missing required key '\(key)'", hint: hint)
    }

    func fail(_ mark: Mark, _ path: String, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(mark: mark, path: path, message: message, hint: hint))
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A mapping whose keys must come from `known`; unknown keys are reported with a suggestion.
    func mapping(_ node: Node, _ path: String, known: [String]) -> [String: Node]? {
        guard case .mapping(let pairs, let mark) = node else {
            fail(node.mark, path, "expected a mapping, found \(node.kindName)")
            return nil
        }
        marks[path] = mark
        var result: [String: Node] = [:]
        for (key, value) in pairs {
            let name = key.scalarText ?? ""
            let keyPath = Self.join(path, name)
            if known.contains(name) {
                result[name] = value
                marks[keyPath] = value.mark
            } else if let guess = Suggest.closest(to: name, in: known) {
                suggested.insert(Self.join(path, guess))
                fail(key.mark, keyPath, "unknown key '\(name)'", hint: "did you mean '\(guess)'?")
            } else {
                fail(key.mark, keyPath, "unknown key '\(name)'", hint: "known keys here: \(known.joined(separator: ", "))")
            }
        }
        return result
    }

    /// A mapping whose keys are names chosen by the user (hosts, pools, routes), in written order.
    func entries(_ node: Node, _ path: String) -> [(key: String, keyMark: Mark, value: Node)] {
        guard case .mapping(let pairs, let mark) = node else {
            fail(node.mark, path, "expected a mapping, found \(node.kindName)")
            return []
        }
        marks[path] = mark
        return pairs.map { pair in
            let key = pair.key.scalarText ?? ""
            marks[Self.join(path, key)] = pair.value.mark
            return (key, pair.key.mark, pair.value)
        }
    }

    func scalar(_ node: Node?, _ path: String) -> (String, Mark)? {
        guard let node else { return nil }
        guard case .scalar(let text, let mark, _) = node, !node.isNull else {
            fail(node.mark, path, "expected a value, found \(node.kindName)")
            return nil
        }
        return (text, mark)
    }

    func string(_ node: Node?, _ path: String, rule: ValueRule) -> String? {
        guard let (text, mark) = scalar(node, path) else { return nil }
        if let problem = rule.problem(in: text) {
            fail(mark, path, problem.message, hint: problem.hint)
            return nil
        }
        return rule.normalise(text)
    }

    func int(_ node: Node?, _ path: String, in range: ClosedRange<Int>, what: String = "a whole number") -> Int? {
        guard let (text, mark) = scalar(node, path) else { return nil }
        guard let value = Int(text) else {
            fail(mark, path, "expected \(what), found '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            fail(mark, path, "\(value) is out of range", hint: "allowed: \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    /// How a boolean may be spelt, in any case (YAML 1.1's words too).
    static let trueWords = ["true", "yes", "on"]
    static let falseWords = ["false", "no", "off"]

    func bool(_ node: Node?, _ path: String) -> Bool? {
        guard let (text, mark) = scalar(node, path) else { return nil }
        let word = text.lowercased()
        if Self.trueWords.contains(word) { return true }
        if Self.falseWords.contains(word) { return false }
        fail(mark, path, "expected true or false, found '\(text)'")
        return nil
    }

    /// Seconds, written as `10`, `2.5`, `10s` or `500ms`.
    func duration(_ node: Node?, _ path: String) -> Double? {
        guard let (text, mark) = scalar(node, path) else { return nil }
        var number = Substring(text), scale = 1.0
        if text.hasSuffix("ms") { number = number.dropLast(2); scale = 0.001 }
        else if text.hasSuffix("s") { number = number.dropLast(); scale = 1 }
        else if text.hasSuffix("m") { number = number.dropLast(); scale = 60 }
        guard let value = Double(number), value > 0, value.isFinite, value * scale <= 3600 else {
            fail(mark, path, "expected a duration such as 10, 10s, 500ms or 10m (at most 1 hour), found '\(text)'")
            return nil
        }
        return value * scale
    }

    func choice<E: RawRepresentable & CaseIterable>(_ node: Node?, _ path: String, _: E.Type) -> E? where E.RawValue == String {
        guard let (text, mark) = scalar(node, path) else { return nil }
        if let value = E(rawValue: text) { return value }
        let names = E.allCases.map(\.rawValue)
        let hint = Suggest.closest(to: text, in: names).map { "did you mean '\($0)'?" } ?? "one of: \(names.joined(separator: ", "))"
        fail(mark, path, "unknown value '\(text)'", hint: hint)
        return nil
    }

    /// A list of strings; a single string is accepted as a list of one. Each valid item comes
    /// with its index as written (items that fail `rule` are reported and left out).
    func strings(_ node: Node?, _ path: String, rule: ValueRule) -> [(text: String, mark: Mark, index: Int)]? {
        guard let node else { return nil }
        if case .scalar = node, !node.isNull {
            return string(node, path, rule: rule).map { [($0, node.mark, 0)] }
        }
        guard case .sequence(let items, _) = node else {
            fail(node.mark, path, "expected a list, found \(node.kindName)")
            return nil
        }
        var result: [(text: String, mark: Mark, index: Int)] = []
        for (i, item) in items.enumerated() {
            let itemPath = "\(path)[\(i)]"
            marks[itemPath] = item.mark
            if let s = string(item, itemPath, rule: rule) { result.append((s, item.mark, i)) }
        }
        return result
    }
}
