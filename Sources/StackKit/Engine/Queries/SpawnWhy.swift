import Foundation

/// Reads why a program could not even be started out of the process manager's own words
/// (supervisord's spawn error and its child's last line, systemd's error for the unit) and says
/// it with the program's facts: the interpreter that is missing, the directory its user cannot
/// enter, the user that does not exist.
enum SpawnWhy {
    /// `logDirectory`: where supervisord writes the programs' logs (its dispatchers' files).
    static func explain(_ line: String, _ program: Program, logDirectory: String? = nil) -> String? {
        let interpreter = program.argv.first ?? ""
        let user = program.user ?? "root"
        let dir = program.directory ?? "its directory"
        if let path = capture(line, #"can't find command '([^']+)'"#) ?? capture(line, #"Failed to locate executable (\S+): No such file"#)
            ?? capture(line, #"step EXEC spawning (\S+): No such file or directory"#) {
            return path == interpreter ? "its interpreter \(path) does not exist" : "\(path) does not exist"
        }
        if let code = capture(line, #"couldn't chdir to .+: (E[A-Z]+)"#) {
            return "its user \(user) cannot enter \(dir) (\(code))"
        }
        if let reason = capture(line, #"Changing to the requested working directory failed: (.+)$"#) ?? capture(line, #"step CHDIR spawning \S+: (.+)$"#) {
            return "its user \(user) cannot enter \(dir) (\(reason))"
        }
        if line.contains("error trying to setuid") || line.contains("step USER spawning") || line.contains("Failed to determine user credentials") {
            return "its user \(user) does not exist on this host"
        }
        if let code = capture(line, #"error making dispatchers for '[^']*': (E[A-Z]+)"#) {
            let dir = logDirectory ?? "its log directory"
            return code == "ENOENT" ? "supervisord cannot open its log file: \(dir) is gone (`stackctl up` makes it again)"
                : "supervisord cannot open its log file in \(dir) (\(code))"
        }
        if let path = capture(line, #"step EXEC spawning (\S+): Permission denied"#) {
            return "its user \(user) may not run \(path)"
        }
        return nil
    }

    static func capture(_ line: String, _ pattern: String) -> String? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), m.numberOfRanges > 1,
              let r = Range(m.range(at: 1), in: line) else { return nil }
        return String(line[r])
    }
}
