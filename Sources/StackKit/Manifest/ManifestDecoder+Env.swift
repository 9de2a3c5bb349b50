import Foundation

/// A pool's `env`: plain values, or secrets taken at deploy time from the operator's
/// environment (`{ from_env: NAME }`), from a local file (`{ from_file: PATH }`, relative to
/// the manifest's directory) or from a command's output (`{ from_command: "op read ..." }`, run
/// once per read, with a timeout), one trailing newline dropped. A secret's value is never part of a
/// message: errors name where it comes from instead.
extension ManifestDecoder {
    func decodeEnv(_ node: Node, _ path: String, into pool: inout Pool) {
        for (key, keyMark, value) in r.entries(node, path) {
            let keyPath = "\(path).\(key)"
            if let problem = ValueRule.envKey.problem(in: key) {
                r.fail(keyMark, keyPath, problem.message, hint: problem.hint)
            } else if case .mapping = value {
                switch decodeSecret(value, keyPath) {
                case .value(let secret):
                    pool.environment.append((key, secret))
                    pool.secretKeys.append(key)
                case .unavailable:
                    // Not needed by this command: noted on the pool, not an error.
                    pool.environment.append((key, ""))
                    pool.secretKeys.append(key)
                    pool.unresolvedSecrets.append(key)
                case .invalid:
                    break
                }
            } else if let text = r.string(value, keyPath, rule: .envValue) {
                pool.environment.append((key, text))
            }
        }
    }

    enum Secret {
        case value(String)
        /// Not set or not readable here, and this command does not need it (`requireSecrets` off).
        case unavailable
        /// Reported.
        case invalid
    }

    /// A secret that is not set or not readable: an error at `mark`, unless this command does
    /// without secrets.
    func unavailable(_ mark: Mark, _ path: String, _ message: String, hint: String? = nil) -> Secret {
        guard requireSecrets else { return .unavailable }
        r.fail(mark, path, message, hint: hint)
        return .invalid
    }

    /// The secret's value; or why it cannot be had, reported unless this command does without.
    func decodeSecret(_ node: Node, _ path: String) -> Secret {
        guard let object = r.object(node, path, ManifestShape.secret) else { return .invalid }
        let kinds = ["from_env", "from_file", "from_command"].filter { object.nodes[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first, let source = object.nodes[kind] else {
            r.fail(node.mark, path, kinds.isEmpty ? "a secret needs 'from_env: NAME', 'from_file: PATH' or 'from_command: COMMAND'"
                   : "give one of \(kinds.map { "'\($0)'" }.joined(separator: ", ")), not \(kinds.count == 2 ? "both" : "all")")
            return .invalid
        }
        if kind != "from_command", let mark = object.nodes["timeout"]?.mark {
            r.fail(mark, "\(path).timeout", "a timeout is for 'from_command' only")
            return .invalid
        }
        let sourcePath = "\(path).\(kind)"
        guard let (text, mark) = r.scalar(source, sourcePath) else { return .invalid }
        let value: String
        if kind == "from_command" {
            guard let command = object.string("from_command") else { return .invalid }
            let limit = object.duration("timeout") ?? 30
            guard limit > 0 && limit <= 600 else {
                r.fail(object.nodes["timeout"]?.mark ?? mark, "\(path).timeout", "timeout \(Int(limit)) s is out of range; 1s to 10m")
                return .invalid
            }
            guard requireSecrets else { return .unavailable }
            guard let runner = secretCommands else { return .value("") }
            let result = secretCommandCache.result(command, timeout: .seconds(limit), runner: runner)
            guard let status = result.status else {
                r.fail(mark, sourcePath, "the command did not finish within \(Int(limit)) s and was ended",
                       hint: "raise 'timeout', or unlock the password manager first")
                return .invalid
            }
            guard status == 0 else {
                let said = String(decoding: result.stderr, as: UTF8.self).split(whereSeparator: \.isNewline).suffix(3).joined(separator: " | ")
                r.fail(mark, sourcePath, "the command failed (exit \(status))\(said.isEmpty ? "" : ": " + ValueRule.visible(String(said.prefix(300))))")
                return .invalid
            }
            guard let out = String(data: result.stdout, encoding: .utf8) else {
                r.fail(mark, sourcePath, "the command's output is not UTF-8 text")
                return .invalid
            }
            value = out.hasSuffix("\r\n") ? String(out.dropLast(2)) : out.hasSuffix("\n") ? String(out.dropLast()) : out
        } else if kind == "from_env" {
            if let problem = ValueRule.envKey.problem(in: text) {
                r.fail(mark, sourcePath, problem.message, hint: problem.hint)
                return .invalid
            }
            // Text parsed without a file and without an environment (a snippet) resolves nothing.
            guard let environment = secretEnvironment else { return .value("") }
            guard let found = environment[text] else {
                return unavailable(mark, sourcePath, "the environment variable \(text) is not set", hint: "export \(text) before running stackctl")
            }
            // Foundation puts U+FFFD in for bytes that are not UTF-8: the app would get another password.
            if found.contains("\u{FFFD}"), let raw = getenv(text), String(validatingCString: raw) == nil {
                r.fail(mark, sourcePath, "the environment variable \(text) is not UTF-8 text", hint: "export it as UTF-8, or read it with from_file")
                return .invalid
            }
            value = found
        } else {
            if let problem = ValueRule.path.problem(in: text.hasPrefix("/") ? text : "/" + text) {
                r.fail(mark, sourcePath, problem.message, hint: problem.hint)
                return .invalid
            }
            let file = localPath(text)
            r.secretFiles.append((sourcePath, file))
            guard checkSources else { return .value("") }
            guard let data = FileManager.default.contents(atPath: file), !isDirectory(file) else {
                return unavailable(mark, sourcePath, "cannot read the secret file '\(file)'")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                r.fail(mark, sourcePath, "the secret file '\(file)' is not UTF-8 text")
                return .invalid
            }
            value = text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
        // A command is named by its key only: its text beside a fact about its output says too much.
        let from = kind == "from_command" ? "its command" : text
        if value.unicodeScalars.contains(where: { $0.value == 0 }) {
            r.fail(mark, sourcePath, "the secret from \(from) contains a NUL character, which no environment can hold")
            return .invalid
        }
        // Output hides a secret wherever its text appears: a short one (a port, `yes`) would
        // hide ordinary values too, and show the secret to anyone who compares.
        if value.count < Redactor.minimumLength {
            let length = "\(value.count) character\(value.count == 1 ? "" : "s")"
            r.fail(mark, sourcePath, "the secret from \(from) is \(length); secrets have at least \(Redactor.minimumLength)",
                   hint: "a value that short is no secret: put it in env as it is, or use a longer one")
            return .invalid
        }
        return .value(value)
    }

    func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// A local path as written in the manifest: absolute, or relative to the manifest's directory.
    func localPath(_ text: String) -> String {
        URL(fileURLWithPath: text.hasPrefix("/") ? text : sourceBase + "/" + text).standardizedFileURL.path
    }
}
