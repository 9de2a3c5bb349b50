import Foundation

/// Hides secret values in any text that leaves stackctl: progress, summaries, `--json`, diffs,
/// error messages, history. Each value (and its JSON-escaped forms, as it appears in `--json`,
/// pool.json, or an app's JSON answer quoted in `--json`) becomes `[secret NAME]`, longest values first so none is half-replaced.
public struct Redactor: Sendable, Equatable {
    public private(set) var secrets: [(value: String, label: String)] = []
    /// The shortest secret the manifest takes: shorter text is too likely to be an ordinary
    /// value (a port, a word) that redaction would then hide, and give the secret away.
    public static let minimumLength = 8

    public init(_ secrets: [(name: String, value: String)] = []) {
        var seen = Set<String>()
        for s in secrets where !s.value.isEmpty && seen.insert(s.value).inserted {
            self.secrets.append((s.value, "[secret \(s.name)]"))
            // Escaped once (pool.json, --json) and twice (an app's JSON answer inside --json).
            let once = Self.jsonEscaped(s.value), twice = Self.jsonEscaped(once)
            for form in [once, twice] where seen.insert(form).inserted { self.secrets.append((form, "[secret \(s.name)]")) }
        }
        self.secrets.sort { $0.value.count > $1.value.count }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func callAsFunction(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for s in secrets where out.contains(s.value) { out = out.replacingOccurrences(of: s.value, with: s.label) }
        return out
    }

    /// The value as stackctl's JSONEncoder writes it inside a string (slashes unescaped).
    static func jsonEscaped(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return value }
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    public static func == (a: Redactor, b: Redactor) -> Bool {
        a.secrets.elementsEqual(b.secrets) { $0.value == $1.value && $0.label == $1.label }
    }
}

extension Manifest {
    /// Every pool's secrets, named `POOL.KEY`.
    public var redactor: Redactor {
        Redactor(pools.flatMap { pool in pool.environment.filter { pool.secretKeys.contains($0.0) }.map { ("\(pool.name).\($0.0)", $0.1) } }
                 + (front.tls?.keyLines ?? []).map { ("front.tls.key", $0) })
    }
}
