/// Shell text for a host script. The literal parts are stackctl's own code; every interpolated
/// value is quoted for the context it lands in, so no manifest value is ever read as shell:
/// - `\(word)`: a bare word, single-quoted unless plainly safe (`ShellQuote.word`);
/// - `\(argv)`: a command line, each word quoted;
/// - `\(inDoubleQuotes: text)`: text inside `"..."`, with `\`, `"`, `$` and backquote escaped;
/// - `\(code)`: another `ShellCode`, already safe;
/// - `\(n)`, `\(octal: n)`: numbers.
/// A `String` cannot become `ShellCode` except through these; the marker lines a script prints
/// are written by `emit`, and the tags it can print travel with the code.
public struct ShellCode: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String
    /// The marker tags this code can print.
    public private(set) var markers: Set<Marker.Tag>

    public init(stringLiteral value: StaticString) {
        text = value.description
        markers = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        markers = stringInterpolation.markers
    }

    public var description: String { text }

    public static func + (a: ShellCode, b: ShellCode) -> ShellCode {
        var c = a
        c.text += b.text
        c.markers.formUnion(b.markers)
        return c
    }

    public static func += (a: inout ShellCode, b: ShellCode) { a = a + b }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var markers: Set<Marker.Tag> = []

        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + 16 * interpolationCount) }
        public mutating func appendLiteral(_ literal: StaticString) { text += literal.description }
        public mutating func appendInterpolation(_ word: String) { text += ShellQuote.word(word) }
        public mutating func appendInterpolation(_ argv: [String]) { text += ShellQuote.line(argv) }
        public mutating func appendInterpolation(inDoubleQuotes value: String) { text += ShellCode.escapeForDoubleQuotes(value) }
        public mutating func appendInterpolation(_ n: Int) { text += String(n) }
        public mutating func appendInterpolation(octal n: Int) { text += String(n, radix: 8) }
        public mutating func appendInterpolation(_ code: ShellCode) {
            text += code.text
            markers.formUnion(code.markers)
        }
        /// A marker's printf format (`@TAG %s...\n`), verbatim: for an awk program or a format
        /// already inside quotes. Its characters need no quoting there (tags are plain words).
        public mutating func appendInterpolation(format tag: Marker.Tag, fields: Int) {
            text += tag.format(fields)
            markers.insert(tag)
        }
        /// A marker's `@TAG`, verbatim, for a stat format or a pattern already inside quotes.
        public mutating func appendInterpolation(prefix tag: Marker.Tag) {
            text += tag.prefix
            markers.insert(tag)
        }
    }

    /// Inside double quotes only `\`, `"`, `$` and backquote are special.
    static func escapeForDoubleQuotes(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\\" || c == "\"" || c == "$" || c == "`" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Prints one marker line: `printf '@TAG %s ...\n' FIELD...`. Fields are shell words: a value
    /// as `"\(value)"`, an expansion as `"\"$x\""`; printf takes each as data, never as a format.
    public static func emit(_ tag: Marker.Tag, _ fields: ShellCode...) -> ShellCode {
        var code = ShellCode(stringLiteral: "printf ")
        code.text += "'" + tag.format(fields.count) + "'"
        for f in fields { code += " " + f }
        code.markers.insert(tag)
        return code
    }

    /// `command <<'DELIMITER'` followed by `body` verbatim: the quoted delimiter turns off every
    /// expansion, and it is chosen so that no line of the body can end the document early.
    /// `fd`: the document goes to that descriptor (`3<<'DELIMITER'`) instead of standard input.
    public static func heredoc(_ command: ShellCode, _ body: String, fd: Int? = nil) -> ShellCode {
        let lines = Set(body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        var delimiter = "STACKCTL_EOF", n = 0
        while lines.contains(delimiter) {
            n += 1
            delimiter = "STACKCTL_EOF_\(n)"
        }
        var code = command
        code.text += " \(fd.map(String.init) ?? "")<<'\(delimiter)'\n\(body)\n\(delimiter)\n"
        return code
    }

    /// Joins pieces, one per line.
    public static func lines(_ pieces: [ShellCode]) -> ShellCode {
        pieces.reduce(ShellCode(stringLiteral: "")) { $0 + $1 + "\n" }
    }
}

extension ShellCode {
    /// The same code, declared to print `tags` through a helper it runs (the embedded Python
    /// helpers print markers of the same vocabulary).
    func printing(_ tags: Marker.Tag...) -> ShellCode {
        var c = self
        c.markers.formUnion(tags)
        return c
    }
}

extension ShellCode {
    /// One step of a script: `run LABEL ARGV...` (the prelude's function) prints `@ok LABEL`,
    /// or `@fail LABEL (exit N)` with the command's output under it and ends the script.
    static func step(_ label: String, _ argv: [String]) -> ShellCode {
        ("run \([label] + argv)" as ShellCode).printing(.ok, .fail)
    }

    /// Function definitions: the markers count where the functions are called, not here.
    var definitions: ShellCode {
        var c = self
        c.markers = []
        return c
    }
}
