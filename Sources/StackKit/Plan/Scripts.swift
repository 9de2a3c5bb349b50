import Foundation

/// The scripts stackctl sends to a host, one per phase, built as `ShellCode` (every value
/// quoted for its context there). Each prints `Marker` lines; command output is indented `| `.
public enum Scripts {
    static let prelude: ShellCode = """
    set -u
    umask 022
    show() { case $1 in '') ;; *) printf '%s\\n' "$1" | sed -e '/^$/d' -e 's/^/| /' ;; esac; }
    run() {
      label=$1; shift
      if out=$("$@" 2>&1); then \(ShellCode.emit(.ok, #""$label""#)); show "$out"
      else rc=$?; \(ShellCode.emit(.fail, #""$label (exit $rc)""#)); show "$out"; exit 1; fi
    }

    """

    /// Creates directories, writes every changed file next to its target, and checks the new
    /// configs with the servers' own validators. Nothing live is touched; on a failed check the
    /// staged files are removed.
    public static func stage(_ plan: HostPlan, _ changes: HostChanges) -> HostScript<StageReply> {
        HostScript(.stage, stageBody(plan, changes) + ShellCode.emit(.staged) + "\n")
    }

    /// Makes each directory, or gives an existing one its mode, owner and group (not its
    /// contents'): one `install` for all that share a mode, owner and group (it runs on every
    /// host of a first `up`). Order does not matter: `install -d` sets an existing directory's
    /// mode and owner too, so a parent made for a child ends as it is specified.
    static func directories(_ specs: [DirectorySpec]) -> ShellCode {
        grouped(specs) { "\(String($0.mode, radix: 8)) \($0.owner) \($0.group)" }.map { _, group in
            let d = group[0], paths = group.map(\.path)
            let argv = ["install", "-d", "-m", String(d.mode, radix: 8), "-o", d.owner, "-g", d.group] + paths
            return ShellCode.step("dir " + paths.joined(separator: " "), argv) + "\n"
        }.reduce("", +)
    }

    /// Staging and checks; exits 1 (after cleaning up) when a check fails.
    static func stageBody(_ plan: HostPlan, _ changes: HostChanges) -> ShellCode {
        var s: ShellCode = accounts(plan)
        s += directories(changes.directories)
        if !changes.files.isEmpty { s += "\(["rm", "-f"] + changes.files.map(\.stagedPath))\n" }
        var dirs: Set<String> = []
        for f in changes.files {
            let data = Data(f.file.contents.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            let dir = (f.path as NSString).deletingLastPathComponent
            if dirs.insert(dir).inserted { s += "[ -d \(dir) ] || mkdir -p \(dir)\n" }
            // Written under umask 077 and given its owner and mode after: a key or a pool.json
            // is never readable by others, not even for a moment.
            s += ShellCode.heredoc("(umask 077 && base64 -d > \(f.stagedPath))", data)
        }
        // One chown per owner and one chmod per mode, for all the files (not two per file).
        for (owner, files) in grouped(changes.files, by: { $0.file.owner + ":" + $0.file.group }) {
            s += "\(["chown", owner] + files.map(\.stagedPath))\n"
        }
        for (mode, files) in grouped(changes.files, by: { String($0.file.mode, radix: 8) }) {
            s += "\(["chmod", mode] + files.map(\.stagedPath))\n"
        }
        s += "cleanup() { \(["rm", "-f"] + changes.files.map(\.stagedPath)); }\n" + checkFunction
        for f in changes.files { s += validation(f, plan, staged: changes.files) }
        s += "if [ $invalid -ne 0 ]; then cleanup; exit 1; fi\n"
        return s
    }
}

/// `items` grouped by `key`, the groups in the order their first item comes.
func grouped<T>(_ items: [T], by key: (T) -> String) -> [(String, [T])] {
    var order: [String] = [], groups: [String: [T]] = [:]
    for item in items {
        let k = key(item)
        if groups[k] == nil { order.append(k) }
        groups[k, default: []].append(item)
    }
    return order.map { ($0, groups[$0]!) }
}
