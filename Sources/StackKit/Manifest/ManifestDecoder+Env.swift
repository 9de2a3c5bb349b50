import Foundation

/// A pool's `env`: plain values, or secrets taken at deploy time from the operator's
/// environment (`{ from_env: NAME }`) or from a local file (`{ from_file: PATH }`, relative to
/// the manifest's directory, one trailing newline dropped). A secret's value is never part of a
/// message: errors name where it comes from instead.
extension ManifestDecoder {
    static let secretKeys = ["from_env", "from_file"]

    func decodeEnv(_ node: Node, _ path: String, into pool: inout Pool) {
        for (key, keyMark, value) in r.entries(node, path) {
            let keyPath = "\(path).\(key)"
            if let problem = ValueRule.envKey.problem(in: key) {
                r.fail(keyMark, keyPath, problem.message, hint: problem.hint)
            } else if case .mapping = value {
                let before = r.diagnostics.count
                if let secret = decodeSecret(value, keyPath) {
                    pool.environment.append((key, secret))
                    pool.secretKeys.append(key)
                } else if !requireSecrets, r.diagnostics.dropFirst(before).allSatisfy(\.unresolvedSecret) {
                    // Not needed by this command: noted, not an error.
                    r.diagnostics.removeLast(r.diagnostics.count - before)
                    pool.environment.append((key, ""))
                    pool.secretKeys.append(key)
                    pool.unresolvedSecrets.append(key)
                }
            } else if let text = r.string(value, keyPath, rule: .envValue) {
                pool.environment.append((key, text))
            }
        }
    }

    /// The secret's value, or nil after reporting why it cannot be had.
    func decodeSecret(_ node: Node, _ path: String) -> String? {
        guard let fields = r.mapping(node, path, known: Self.secretKeys) else { return nil }
        guard fields.count == 1, let (kind, source) = fields.first else {
            r.fail(node.mark, path, fields.isEmpty ? "a secret needs 'from_env: NAME' or 'from_file: PATH'" : "give either 'from_env' or 'from_file', not both")
            return nil
        }
        let sourcePath = "\(path).\(kind)"
        guard let (text, mark) = r.scalar(source, sourcePath) else { return nil }
        let value: String
        if kind == "from_env" {
            if let problem = ValueRule.envKey.problem(in: text) {
                r.fail(mark, sourcePath, problem.message, hint: problem.hint)
                return nil
            }
            // Text parsed without a file and without an environment (a snippet) resolves nothing.
            guard let environment = secretEnvironment else { return "" }
            guard let found = environment[text] else {
                r.fail(mark, sourcePath, Self.unsetMessage(text), hint: "export \(text) before running stackctl")
                return nil
            }
            value = found
        } else {
            if let problem = ValueRule.path.problem(in: text.hasPrefix("/") ? text : "/" + text) {
                r.fail(mark, sourcePath, problem.message, hint: problem.hint)
                return nil
            }
            let file = URL(fileURLWithPath: text.hasPrefix("/") ? text : sourceBase + "/" + text).standardizedFileURL.path
            guard checkSources else { return "" }
            guard let data = FileManager.default.contents(atPath: file), !isDirectory(file) else {
                r.fail(mark, sourcePath, Self.unreadableMessage(file))
                return nil
            }
            guard let text = String(data: data, encoding: .utf8) else {
                r.fail(mark, sourcePath, "the secret file '\(file)' is not UTF-8 text")
                return nil
            }
            value = text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
        if value.unicodeScalars.contains(where: { $0.value == 0 }) {
            r.fail(mark, sourcePath, "the secret from \(text) contains a NUL character, which no environment can hold")
            return nil
        }
        return value
    }

    func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    static func unsetMessage(_ variable: String) -> String { "the environment variable \(variable) is not set" }
    static func unreadableMessage(_ file: String) -> String { "cannot read the secret file '\(file)'" }
}

extension Diagnostic {
    /// A secret that is not set or not readable here (and nothing else wrong with it).
    var unresolvedSecret: Bool {
        message.hasPrefix("the environment variable ") && message.hasSuffix(" is not set") || message.hasPrefix("cannot read the secret file ")
    }
}
