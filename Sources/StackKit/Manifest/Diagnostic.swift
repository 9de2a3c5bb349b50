/// One problem in a manifest: where it is, which key, what is wrong, and what may help.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var mark: Mark
    /// Dotted key path such as `pools.main.instances`; empty for document-level problems.
    public var path: String
    public var message: String
    public var hint: String?

    public init(mark: Mark, path: String, message: String, hint: String? = nil) {
        self.mark = mark
        self.path = path
        self.message = message
        self.hint = hint
    }

    /// `LINE:COLUMN: key.path: message (hint)`; the caller prefixes the file name. Keys and
    /// values come from the file: control characters in them are shown escaped, so every
    /// problem is one line and no terminal escape reaches the screen.
    public var description: String {
        var s = "\(mark): "
        if !path.isEmpty { s += "\(path): " }
        s += message
        if let hint { s += " (\(hint))" }
        return ValueRule.visible(s)
    }

    public func formatted(file: String) -> String { formatted(files: [file]) }

    /// Prefixed by the name of the file its position is in: the manifest or a destination's overlay.
    public func formatted(files: [String]) -> String {
        "\(ValueRule.visible(mark.file < files.count ? files[mark.file] : files.first ?? "")):\(description)"
    }
}

extension Mark {
    /// `FILE:LINE:COLUMN`, naming which of `files` it is in.
    public func located(in files: [String]) -> String {
        "\(ValueRule.visible(file < files.count ? files[file] : files.first ?? "")):\(self)"
    }
}

/// Everything wrong with one manifest, sorted by position.
public struct ManifestError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { ($0.mark, $0.path, $0.message) < ($1.mark, $1.path, $1.message) }
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }

    public func formatted(file: String) -> String { formatted(files: [file]) }

    /// Each problem prefixed by its own file: the manifest or the destination's overlay.
    public func formatted(files: [String]) -> String {
        diagnostics.map { $0.formatted(files: files) }.joined(separator: "\n")
    }
}
