/// Quoting for every file dialect stackctl writes, in one place. Validation already refuses
/// quotes, newlines, braces, semicolons and `$` in manifest values; these functions still escape
/// what each dialect treats specially, so a renderer can never emit a broken or injected line.
public enum Dialect {
    /// Apache and lighttpd: a double-quoted string with `\` and `"` escaped.
    public static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public static func apache(_ s: String) -> String { quoted(s) }
    public static func lighttpd(_ s: String) -> String { quoted(stripControl(s)) }
    /// nginx expands `$name` even inside quotes; values reaching here never hold `$` (ValueRule).
    public static func nginx(_ s: String) -> String { quoted(stripControl(s)) }

    /// A systemd command-line word: quoted, with `%` specifiers and `$` expansion neutralised.
    public static func systemd(_ s: String) -> String {
        quoted(stripControl(s)).replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "$", with: "$$")
    }

    /// A word on a supervisord `command=` line (shlex-split, `%` interpolated).
    public static func supervisord(_ s: String) -> String {
        let plain = s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-=:,@+".contains($0)) }
        return (plain ? s : quoted(stripControl(s))).replacingOccurrences(of: "%", with: "%%")
    }

    /// Escapes for a POSIX regular expression literal (lighttpd conditions, nginx split_path_info).
    public static func regex(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\.^$|?*+()[]{}".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func stripControl(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }))
    }

    /// The first line of every rendered file.
    public static func header(_ comment: String, stack: String, host: String) -> String {
        "\(comment) Rendered by stackctl for stack '\(stack)' on host '\(host)'. Edits are overwritten by the next deploy.\n"
    }
}
