/// Rules for the accounts programs run as and for the pools' data directories.
extension ValueRule {
    /// An account a server or worker runs as: a numeric id, or a name as systemd's strict rules
    /// take it (a letter or '_' first, at most 31 characters), which chown and useradd take too.
    public static let serviceAccount = ValueRule(what: "user or group", characters: .ascii("_-"), allowedText: "letters, digits, '_' and '-'",
        scalars: [.integer], schema: [.pattern("^([0-9]+|[A-Za-z_][A-Za-z0-9_-]{0,30})$")]) { text in
        if text.allSatisfy(\.isNumber) { return nil }
        if let first = text.first, !(first.isLetter || first == "_") {
            return Problem(message: "user or group '\(text)' must start with a letter or '_'", hint: "systemd refuses other names; a number is taken as an id")
        }
        return text.count > 31 ? Problem(message: "user or group '\(text.prefix(20))...' is \(text.count) characters; at most 31",
                                         hint: "systemd refuses longer names") : nil
    }

    /// A file mode in octal: `750`, `0750`, `2770`.
    public static let fileMode = ValueRule(what: "mode", characters: .ascii(""), allowedText: "octal digits, such as 0750",
        scalars: [.integer], schema: [.pattern("^0?[0-7]{3,4}$")]) { text in
        let digits = text.count == 5 && text.hasPrefix("0") ? String(text.dropFirst()) : text
        guard (3...4).contains(digits.count), digits.allSatisfy({ ("0"..."7").contains($0) }) else {
            return Problem(message: "mode '\(text)' is not an octal mode", hint: "write it like 0750")
        }
        return nil
    }

    /// `POOL/NAME`: a pool's data directory.
    public static let dataReference = ValueRule(what: "data directory", characters: .ascii("_-/"), allowedText: "POOL/NAME",
        schema: [.pattern("^[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_-]*$")]) { text in
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ name.problem(in: String($0)) == nil }) else {
            return Problem(message: "data directory '\(text)' must be POOL/NAME", hint: "write main/media")
        }
        return nil
    }
}
