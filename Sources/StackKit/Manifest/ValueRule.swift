import Foundation

/// What a value of one kind may contain. Anything that could end a quoted string or start a
/// new directive in a rendered file (quotes, newlines, braces, semicolons, `$`, control
/// characters) is refused here, before any renderer sees it; renderers still escape.
public struct ValueRule: Sendable {
    public struct Problem: Sendable, Equatable {
        public var message: String
        public var hint: String?
    }

    /// The characters a value may hold, as data: the decoder tests each character against it,
    /// and the JSON Schema turns it into a pattern.
    public enum Characters: Sendable, Equatable {
        /// ASCII letters and digits, and these.
        case ascii(String)
        /// Anything on one line: no control characters (C0 U+0000-U+001F, U+007F, C1
        /// U+0080-U+009F) and no line or paragraph separator (U+2028, U+2029).
        case line
    }

    let what: String
    public let characters: Characters
    let allowedText: String
    /// Besides text, the YAML scalars whose text the rule can take (`name: 2024` is a number
    /// to an editor, and a name to stackctl).
    public var scalars: [JSONType] = []
    /// What the JSON Schema can say of `shape`; a test holds both to the same samples.
    public var schema: [SchemaCheck] = []
    let shape: @Sendable (String) -> Problem?
    /// The one spelling an accepted value is kept in (paths: no `.`, `//` or trailing `/`).
    var normalise: @Sendable (String) -> String = { $0 }

    func problem(in text: String) -> Problem? {
        if text.isEmpty { return Problem(message: "\(what) must not be empty") }
        if let bad = text.first(where: { !allowed($0) }) {
            return Problem(message: "\(what) '\(Self.visible(text))' contains \(Self.describe(bad))", hint: "allowed: \(allowedText)")
        }
        return shape(text)
    }

    init(what: String, characters: Characters, allowedText: String, scalars: [JSONType] = [], schema: [SchemaCheck] = [],
         shape: @escaping @Sendable (String) -> Problem?) {
        self.what = what
        self.scalars = scalars
        self.characters = characters
        self.allowedText = allowedText
        self.schema = schema
        self.shape = shape
    }

    func allowed(_ c: Character) -> Bool {
        switch characters {
        case .ascii(let extra): Self.ascii(c, extra)
        case .line: !c.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 }
        }
    }

    static func describe(_ c: Character) -> String {
        if let scalar = c.unicodeScalars.first(where: isInvisible) {
            return scalar == "\n" ? "a newline" : scalar == "\t" ? "a tab" : "a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
        return c == " " ? "a space" : "'\(c)'"
    }

    /// The value with control, format (bidi) and line-separator characters shown as escapes,
    /// so a message can neither drive a terminal nor start a line of its own.
    public static func visible(_ text: String) -> String {
        text.unicodeScalars.map { isInvisible($0) ? $0.escaped(asASCII: true) : String($0) }.joined()
    }

    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }

    static func ascii(_ c: Character, _ extra: String) -> Bool {
        guard c.isASCII else { return false }
        return c.isLetter || c.isNumber || extra.contains(c)
    }

    static let none: @Sendable (String) -> Problem? = { _ in nil }

    /// Host, pool and stack names: used in file paths and unit names.
    public static let name = ValueRule(what: "name", characters: .ascii("_-"), allowedText: "letters, digits, '_' and '-'",
        scalars: [.integer, .number], schema: [.pattern(#"^[A-Za-z0-9]"#), .maxLength(64)]) { text in
        if text.first == "-" || text.first == "_" { return Problem(message: "name '\(text)' must start with a letter or digit") }
        // Names become unit, program, socket and file names (a file name holds 255 bytes).
        return text.count > 64 ? Problem(message: "name '\(text.prefix(20))...' is \(text.count) characters; at most 64",
            hint: "names become unit, program and file names") : nil
    }

    /// Absolute paths, kept normalised: `//srv/./app/` is `/srv/app`, so paths compare as paths.
    public static let path: ValueRule = {
        var rule = ValueRule(what: "path", characters: .ascii("._-/@+=,:~"), allowedText: "letters, digits and ._-/@+=,:~",
            schema: [.pattern("^/"), .notPattern(#"(^|/)\.\.(/|$)"#), .notPattern("[^/]{256}"), .maxLength(1024)]) { text in
            if !text.hasPrefix("/") { return Problem(message: "path '\(text)' must be absolute", hint: "start it with '/'") }
            if text.split(separator: "/").contains("..") { return Problem(message: "path '\(text)' must not contain '..'",
                hint: "write the directory it means") }
            if let long = text.split(separator: "/").first(where: { $0.utf8.count > 255 }) {
                return Problem(message: "path component '\(long.prefix(20))...' is longer than 255 bytes", hint: "no file system takes a name that long")
            }
            return text.utf8.count > 1024 ? Problem(message: "path '\(text.prefix(40))...' is longer than 1024 bytes") : nil
        }
        rule.normalise = normalisedPath
        return rule
    }()

    /// `/` joined with every component that is not empty or `.`.
    public static func normalisedPath(_ text: String) -> String {
        "/" + text.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    public static let address = ValueRule(what: "address", characters: .ascii(".-:"), allowedText: "an IPv4 or IPv6 address or a host name",
        scalars: [.integer, .number], schema: [.notPattern("^-"), .notPattern("^[^:]*:[^:]*$")]) { text in
        if text.hasPrefix("-") { return Problem(message: "address '\(text)' must not start with '-'", hint: "ssh would read it as an option") }
        if text.contains(":") && text.filter({ $0 == ":" }).count < 2 { return Problem(message: "address '\(text)' must not carry a port",
            hint: "use the port key") }
        return nil
    }

    /// An SSH destination handed to ssh as given: an alias of the user's ssh config, a host, or
    /// `user@host`. Never an option (`-...`), no spaces, quotes or control characters.
    public static let sshDestination = ValueRule(what: "ssh destination", characters: .ascii("._-@:+=,~%[]"),
                                                 allowedText: "letters, digits and ._-@:+=,~%[]", schema: [.notPattern("^[-@]"), .notPattern("@$")]) { text in
        if text.hasPrefix("-") { return Problem(message: "ssh destination '\(text)' must not start with '-'", hint: "ssh would read it as an option") }
        if text.hasSuffix("@") || text.hasPrefix("@") { return Problem(message: "ssh destination '\(text)' needs a host",
            hint: "write an alias of your ssh config, a host, or user@host") }
        return nil
    }

    /// Host names as nginx's server_name takes them: one wildcard, only as a whole first label
    /// (`*.example.com`) or last label (`www.example.*`), or a leading dot (`.example.com`).
    /// A client network for Apache's `-R`: an address, or an address and a prefix length.
    public static let network = ValueRule(what: "network", characters: .ascii(".:/"), allowedText: "an IPv4 or IPv6 address, with /PREFIX or not",
        scalars: [], schema: [.pattern(#"^[0-9A-Fa-f.:]+(/[0-9]{1,3})?$"#)]) { text in
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let address = String(parts[0]), v6 = address.contains(":")
        var v4 = in_addr(), v6addr = in6_addr()
        let valid = v6 ? inet_pton(AF_INET6, address, &v6addr) == 1 : inet_pton(AF_INET, address, &v4) == 1
        guard valid else { return Problem(message: "network '\(text)' is not an IPv4 or IPv6 address with an optional /PREFIX") }
        if parts.count > 2 { return Problem(message: "network '\(text)' has more than one '/'") }
        if parts.count == 2, !(Int(parts[1]).map { (0...(v6 ? 128 : 32)).contains($0) } ?? false) {
            return Problem(message: "network '\(text)': prefix length must be 0 to \(v6 ? 128 : 32)")
        }
        return nil
    }

    public static let serverName = ValueRule(what: "server name", characters: .ascii(".-*"),
        allowedText: "letters, digits, '.', '-' and '*'", scalars: [.integer, .number],
        schema: [.pattern(#"^(\*\.[^*]+|[^*]+\.\*|[^*]+)$"#), .notPattern(#"\.\.|^\.$|^\*?\.?$"#), .notPattern(#"[^.]{64}"#), .maxLength(253)]) { text in
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.first == "" { labels.removeFirst() }  // nginx's `.example.com`
        if labels.last == "", labels.count > 1 { labels.removeLast() }   // a fully qualified `example.com.`
        let wildcards = labels.filter { $0.contains("*") }
        if labels.contains("") { return Problem(message: "server name '\(text)' has an empty label", hint: "write it like www.example.com") }
        if wildcards.count > 1 || wildcards.contains(where: { $0 != "*" }) || (wildcards.count == 1 && labels.first != "*" && labels.last != "*")
            || (text.hasPrefix(".") && !wildcards.isEmpty) || labels == ["*"] {
            return Problem(message: "server name '\(text)' has a wildcard nginx refuses",
                hint: "one '*' as the whole first or last label: *.example.com or www.example.*")
        }
        if let long = labels.first(where: { $0.count > 63 }) { return Problem(message: "server name label '\(long)' is longer than 63 characters") }
        return text.count > 253 ? Problem(message: "server name '\(text.prefix(30))...' is longer than 253 characters") : nil
    }

    public static let account = ValueRule(what: "user or group", characters: .ascii("_-"), allowedText: "letters, digits, '_' and '-'",
        scalars: [.integer, .number], shape: none)

    /// Route and alias URL prefixes.
    /// A Paste Deploy file as Paste writes it: `/path/app.ini`, or `/path/app.ini#name`; a
    /// relative `app.ini` is the release's own file (a pool with `source`).
    public static let paste = ValueRule(what: "Paste Deploy file", characters: .ascii("._-/@+=,:~#"),
                                        allowedText: "a path (relative: in the release), and '#name' after it",
                                        schema: [.pattern("^[^#]+(#[A-Za-z0-9][A-Za-z0-9_-]*)?$"), .notPattern(#"(^|/)\.\.(/|#|$)"#)]) { text in
        let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let file = parts[0]
        if file.isEmpty { return Problem(message: "Paste Deploy file '\(text)' names no file", hint: "write production.ini, or /path/app.ini") }
        if file.split(separator: "/").contains("..") {
            return Problem(message: "Paste Deploy file '\(file)' must not contain '..'", hint: "write the file it means")
        }
        return path.problem(in: file.hasPrefix("/") ? file : "/" + file) ?? (parts.count == 2 ? name.problem(in: parts[1]) : nil)
    }

    public static let urlPrefix = ValueRule(what: "URL prefix", characters: .ascii("._~/-"), allowedText: "letters, digits and ._~/-",
        schema: [.pattern("^/"), .notPattern("//"), .notPattern(#"(^|/)\.\.?(/|$)"#)]) { text in
        if !text.hasPrefix("/") { return Problem(message: "URL prefix '\(text)' must start with '/'") }
        if text.contains("//") { return Problem(message: "URL prefix '\(text)' must not contain '//'") }
        if text.split(separator: "/").contains(where: { $0 == "."
            || $0 == ".." }) { return Problem(message: "URL prefix '\(text)' must not contain '.' or '..' segments") }
        return nil
    }

    /// Health-check request paths, with an optional query.
    public static let urlPath = ValueRule(what: "URL path", characters: .ascii("._~/-?=&%+"), allowedText: "letters, digits and ._~/-?=&%+",
        schema: [.pattern("^/")]) { text in
        text.hasPrefix("/") ? nil : Problem(message: "URL path '\(text)' must start with '/'")
    }

    public static let envKey = ValueRule(what: "variable name", characters: .ascii("_"), allowedText: "letters, digits and '_'",
        schema: [.notPattern("^[0-9]")]) { text in
        text.first!.isNumber ? Problem(message: "variable name '\(text)' must not start with a digit") : nil
    }

    /// Environment values reach the worker through JSON, so only control characters are refused.
    public static let envValue = ValueRule(what: "value", characters: .line, allowedText: "any text without control characters or newlines",
        scalars: [.integer, .number, .boolean], shape: none)

    /// A shell command line: any text on one line (it reaches the host as data, run by `sh -c`).
    public static let command = ValueRule(what: "command", characters: .line, allowedText: "one line of text without control characters",
        schema: [.pattern(#"\S"#)]) { text in
        text.trimmingCharacters(in: .whitespaces).isEmpty ? Problem(message: "the command is empty") : nil
    }

    public static let wsgi = ValueRule(what: "WSGI entry", characters: .ascii("_.:"), allowedText: "module.path:callable",
        schema: [.pattern(#"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"#)]) { text in
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let identifiers = parts.flatMap { $0.split(separator: ".", omittingEmptySubsequences: false) }
        if parts.count != 2 || identifiers.contains(where: { $0.isEmpty || $0.first!.isNumber }) {
            return Problem(message: "WSGI entry '\(text)' must look like 'package.module:callable'")
        }
        return nil
    }

    public static let mimeType = ValueRule(what: "mime type", characters: .ascii("/.+-_"), allowedText: "type/subtype",
        schema: [.pattern("^[^/]+/[^/]+$")]) { text in
        text.split(separator: "/", omittingEmptySubsequences: false).filter { !$0.isEmpty }.count == 2
            && text.filter({ $0 == "/" }).count == 1 ? nil : Problem(message: "mime type '\(text)' must look like 'type/subtype'")
    }

    public static let extensionName = ValueRule(what: "file extension", characters: .ascii("._-+"), allowedText: "letters, digits and ._-+",
        scalars: [.integer, .number], shape: none)

    /// A git ref: branch, tag or commit, as `git archive` takes it.
    public static let gitRef = ValueRule(what: "git ref", characters: .ascii("._/-^~@"), allowedText: "letters, digits and ._/-^~@",
        scalars: [.integer, .number], schema: [.notPattern("^-")]) { text in
        text.hasPrefix("-") ? Problem(message: "git ref '\(text)' must not start with '-'") : nil
    }

    public static let scheme = ValueRule(what: "scheme", characters: .ascii(""), allowedText: "http or https", schema: [.pattern("^(http|https)$")]) { text in
        text == "http" || text == "https" ? nil : Problem(message: "scheme must be http or https, found '\(text)'")
    }
}
