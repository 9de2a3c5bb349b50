/// The one place where argv becomes shell text: for ssh's remote command line and for the
/// scripts stackctl runs on hosts. Every word is single-quoted unless it is plainly safe.
public enum ShellQuote {
    static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@+%")

    public static func word(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static func line(_ argv: [String]) -> String {
        argv.map(word).joined(separator: " ")
    }
}
