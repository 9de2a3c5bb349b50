import Foundation

/// Files `scripts/install PREFIX` puts beside the binary: PREFIX/bin/stackctl, and
/// PREFIX/share/stackctl/deploy.schema.json.
enum Installed {
    /// The binary's own directory, links resolved.
    static var binDirectory: URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The installed schema's path, if there is one.
    static var schema: String? {
        let file = binDirectory.deletingLastPathComponent().appendingPathComponent("share/stackctl/deploy.schema.json").standardizedFileURL.path
        return FileManager.default.fileExists(atPath: file) ? file : nil
    }
}
