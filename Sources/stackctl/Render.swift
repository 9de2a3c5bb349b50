import ArgumentParser
import Foundation
import StackKit

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every file each host needs under DIR/HOST/, at the paths they will have on that host.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.cannotWrite]))

    @OptionGroup var manifest: ManifestOptions

    @Option(name: .long, help: "Directory to write into.")
    var out: String = "rendered"

    @Option(name: .long, help: "Render only this host.", completion: Complete.hosts)
    var host: String?

    func run() throws {
        let m = try manifest.load()
        let renderer = StackRenderer(m)
        var hosts = renderer.renderAll()
        if let host {
            hosts = hosts.filter { $0.host.name == host }
            if hosts.isEmpty {
                printError("unknown host '\(host)'; hosts in \(manifest.file): \(renderer.topology.activeHosts.map(\.name).joined(separator: ", "))")
                throw ExitCode(.usage)
            }
        }
        do {
            for rendered in hosts {
                let written = try RenderWriter(root: out).write(rendered)
                for (file, size) in written {
                    print("\(rendered.host.name)\t\(String(file.mode, radix: 8))\t\(size)\t\(file.path)")
                }
            }
        } catch let link as RenderWriter.ThroughLink {
            printError("cannot write under \(out): \(link.path) is a symbolic link; render writes nothing through one")
            throw ExitCode(.cannotWrite)
        } catch {
            printError("cannot write under \(out): \(Init.plain(error))")
            throw ExitCode(.cannotWrite)
        }
    }
}

/// Writes one host's files under ROOT/HOST/, replacing an earlier render of that host
/// (recognised by its marker file) so no stale file survives. Nothing is written through a
/// symbolic link below ROOT: root rendering into a directory others can write to would
/// otherwise write wherever their link points.
struct RenderWriter {
    let root: String
    static let marker = ".stackctl-render"

    struct ThroughLink: Error { var path: String }

    /// Refuses a symbolic link at any component of `path` below the root.
    func checkNoLink(_ path: String) throws {
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        var current = base
        for part in path.dropFirst(base.count).split(separator: "/") {
            current += "/" + part
            var st = stat()
            if lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK { throw ThroughLink(path: current) }
        }
    }

    /// Writes `data` at `path` (never following a link there), with `mode`.
    func writeFile(_ data: Data, to path: String, mode: Int) throws {
        try checkNoLink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else {
            if errno == ELOOP { throw ThroughLink(path: path) }
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno))
        }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fchmod(fd, mode_t(mode)) == 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno)) }
    }

    func write(_ rendered: HostRender) throws -> [(RenderedFile, Int)] {
        let fm = FileManager.default
        let hostDir = URL(fileURLWithPath: root).standardizedFileURL.appendingPathComponent(rendered.host.name)
        try checkNoLink(hostDir.path)
        if fm.fileExists(atPath: hostDir.appendingPathComponent(Self.marker).path) {
            try fm.removeItem(at: hostDir)
        }
        try fm.createDirectory(at: hostDir, withIntermediateDirectories: true)
        try writeFile(Data("written by stackctl render\n".utf8), to: hostDir.appendingPathComponent(Self.marker).path, mode: 0o644)
        return try rendered.files.map { file in
            let url = hostDir.appendingPathComponent(String(file.path.drop { $0 == "/" }))
            try checkNoLink(url.deletingLastPathComponent().path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            // A preview to read and diff: secrets stay out of it, as out of everything printed.
            // Only a pool.json holds any; every other file is written byte for byte as rendered.
            let contents = file.secret ? "(not shown: a private key, shipped from the manifest's key file)\n"
                : file.role.pool != nil && file.path.hasSuffix("/pool.json") ? Redaction.apply(file.contents) : file.contents
            let data = Data(contents.utf8)
            try writeFile(data, to: url.path, mode: file.mode)
            return (file, data.count)
        }
    }
}
