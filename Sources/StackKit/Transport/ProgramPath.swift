import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A local program found on PATH once per run, as a shell finds it. swift-subprocess 1.0.2
/// tries each PATH entry with a spawn of its own (a fork of this whole process each): with
/// /usr/bin seventh on PATH, that was seven forks for every ssh command the controller ran.
enum ProgramPath {
    /// The first executable regular file named `name` in the directories of `path`.
    static func find(_ name: String, in path: String?) -> String? {
        guard !name.contains("/") else { return name }
        let dirs = (path ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
        for dir in dirs {
            // An empty entry is the working directory, as execvp reads it.
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// The executable for `name`: its path when found, else the name (swift-subprocess then
    /// reports it missing as it always did).
    static func executable(_ name: String) -> Executable {
        find(name, in: ProcessInfo.processInfo.environment["PATH"]).map { .path(FilePath($0)) } ?? .name(name)
    }

    static let timeout = executable("timeout")
    static let env = executable("env")
}
