extension Scripts {
    /// Prints each file that exists, base64-encoded under its `@content` marker, for `plan`'s
    /// diffs. Reads only.
    public static func fetch(_ paths: [String]) -> HostScript<ContentsReply> {
        var s: ShellCode = ""
        for path in paths {
            s += "[ -f \(path) ] && { \(ShellCode.emit(.content, "\(path)")); base64 < \(path) | sed 's/^/| /'; }\n"
        }
        return HostScript(.fetch, s + "exit 0\n", timeout: .seconds(60))
    }
}
