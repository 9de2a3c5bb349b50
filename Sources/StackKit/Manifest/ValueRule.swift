/// What a value of one kind may contain. Anything that could end a quoted string or start a
/// new directive in a rendered file (quotes, newlines, braces, semicolons, `$`, control
/// characters) is refused here, before any renderer sees it; renderers still escape.
public struct ValueRule: Sendable {
    public struct Problem: Sendable, Equatable {
        public var message: String
        public var hint: String?
    }

    let what: String
    let allowed: @Sendable (Character) -> Bool
    let allowedText: String
    let shape: @Sendable (String) -> Problem?

    func problem(in text: String) -> Problem? {
        if text.isEmpty { return Problem(message: "\(what) must not be empty") }
        if let bad = text.first(where: { !allowed($0) }) {
            return Problem(message: "\(what) '\(Self.visible(text))' contains \(Self.describe(bad))", hint: "allowed: \(allowedText)")
        }
        return shape(text)
    }

    static func describe(_ c: Character) -> String {
        if let scalar = c.unicodeScalars.first, c.unicodeScalars.count == 1, scalar.value < 0x20 || scalar.value == 0x7f {
            return scalar == "\n" ? "a newline" : scalar == "\t" ? "a tab" : "a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
        return c == " " ? "a space" : "'\(c)'"
    }

    /// The value with control characters shown as escapes, for messages.
    static func visible(_ text: String) -> String {
        text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? $0.escaped(asASCII: true) : String($0) }.joined()
    }

    static func ascii(_ c: Character, _ extra: String) -> Bool {
        guard c.isASCII else { return false }
        return c.isLetter || c.isNumber || extra.contains(c)
    }

    static let none: @Sendable (String) -> Problem? = { _ in nil }

    /// Host, pool and stack names: used in file paths and unit names.
    public static let name = ValueRule(what: "name", allowed: { ascii($0, "_-") }, allowedText: "letters, digits, '_' and '-'") { text in
        text.first == "-" || text.first == "_" ? Problem(message: "name '\(text)' must start with a letter or digit") : nil
    }

    public static let path = ValueRule(what: "path", allowed: { ascii($0, "._-/@+=,:~") }, allowedText: "letters, digits and ._-/@+=,:~") { text in
        if !text.hasPrefix("/") { return Problem(message: "path '\(text)' must be absolute", hint: "start it with '/'") }
        if text.split(separator: "/").contains("..") { return Problem(message: "path '\(text)' must not contain '..'") }
        return nil
    }

    public static let address = ValueRule(what: "address", allowed: { ascii($0, ".-:") }, allowedText: "an IPv4 or IPv6 address or a host name") { text in
        if text.hasPrefix("-") { return Problem(message: "address '\(text)' must not start with '-'", hint: "ssh would read it as an option") }
        if text.contains(":") && text.filter({ $0 == ":" }).count < 2 { return Problem(message: "address '\(text)' must not carry a port", hint: "use the port key") }
        return nil
    }

    public static let serverName = ValueRule(what: "server name", allowed: { ascii($0, ".-*") }, allowedText: "letters, digits, '.', '-' and '*'", shape: none)

    public static let account = ValueRule(what: "user or group", allowed: { ascii($0, "_-") }, allowedText: "letters, digits, '_' and '-'", shape: none)

    /// Route and alias URL prefixes.
    public static let urlPrefix = ValueRule(what: "URL prefix", allowed: { ascii($0, "._~/-") }, allowedText: "letters, digits and ._~/-") { text in
        if !text.hasPrefix("/") { return Problem(message: "URL prefix '\(text)' must start with '/'") }
        if text.contains("//") { return Problem(message: "URL prefix '\(text)' must not contain '//'") }
        if text.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) { return Problem(message: "URL prefix '\(text)' must not contain '.' or '..' segments") }
        return nil
    }

    /// Health-check request paths, with an optional query.
    public static let urlPath = ValueRule(what: "URL path", allowed: { ascii($0, "._~/-?=&%+") }, allowedText: "letters, digits and ._~/-?=&%+") { text in
        text.hasPrefix("/") ? nil : Problem(message: "URL path '\(text)' must start with '/'")
    }

    public static let envKey = ValueRule(what: "variable name", allowed: { ascii($0, "_") }, allowedText: "letters, digits and '_'") { text in
        text.first!.isNumber ? Problem(message: "variable name '\(text)' must not start with a digit") : nil
    }

    /// Environment values reach the worker through JSON, so only control characters are refused.
    public static let envValue = ValueRule(what: "value", allowed: { c in
        !c.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
    }, allowedText: "any text without control characters or newlines", shape: none)

    public static let wsgi = ValueRule(what: "WSGI entry", allowed: { ascii($0, "_.:") }, allowedText: "module.path:callable") { text in
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let identifiers = parts.flatMap { $0.split(separator: ".", omittingEmptySubsequences: false) }
        if parts.count != 2 || identifiers.contains(where: { $0.isEmpty || $0.first!.isNumber }) {
            return Problem(message: "WSGI entry '\(text)' must look like 'package.module:callable'")
        }
        return nil
    }

    public static let mimeType = ValueRule(what: "mime type", allowed: { ascii($0, "/.+-_") }, allowedText: "type/subtype") { text in
        text.split(separator: "/").count == 2 ? nil : Problem(message: "mime type '\(text)' must look like 'type/subtype'")
    }

    public static let extensionName = ValueRule(what: "file extension", allowed: { ascii($0, "._-+") }, allowedText: "letters, digits and ._-+", shape: none)

    /// A git ref: branch, tag or commit, as `git archive` takes it.
    public static let gitRef = ValueRule(what: "git ref", allowed: { ascii($0, "._/-^~@") }, allowedText: "letters, digits and ._/-^~@") { text in
        text.hasPrefix("-") ? Problem(message: "git ref '\(text)' must not start with '-'") : nil
    }

    public static let scheme = ValueRule(what: "scheme", allowed: { ascii($0, "") }, allowedText: "http or https") { text in
        text == "http" || text == "https" ? nil : Problem(message: "scheme must be http or https, found '\(text)'")
    }
}
