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
        } catch {
            printError("cannot write under \(out): \(error.localizedDescription)")
            throw ExitCode(.cannotWrite)
        }
    }
}

/// Writes one host's files under ROOT/HOST/, replacing an earlier render of that host
/// (recognised by its marker file) so no stale file survives.
struct RenderWriter {
    let root: String
    static let marker = ".stackctl-render"

    func write(_ rendered: HostRender) throws -> [(RenderedFile, Int)] {
        let fm = FileManager.default
        let hostDir = URL(fileURLWithPath: root).appendingPathComponent(rendered.host.name)
        if fm.fileExists(atPath: hostDir.appendingPathComponent(Self.marker).path) {
            try fm.removeItem(at: hostDir)
        }
        try fm.createDirectory(at: hostDir, withIntermediateDirectories: true)
        try Data("written by stackctl render\n".utf8).write(to: hostDir.appendingPathComponent(Self.marker))
        return try rendered.files.map { file in
            let url = hostDir.appendingPathComponent(String(file.path.drop { $0 == "/" }))
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            // A preview to read and diff: secrets stay out of it, as out of everything printed.
            // Only a pool.json holds any; every other file is written byte for byte as rendered.
            let contents = file.secret ? "(not shown: a private key, shipped from the manifest's key file)\n"
                : file.role.pool != nil && file.path.hasSuffix("/pool.json") ? Redaction.apply(file.contents) : file.contents
            let data = Data(contents.utf8)
            try data.write(to: url)
            try fm.setAttributes([.posixPermissions: file.mode], ofItemAtPath: url.path)
            return (file, data.count)
        }
    }
}
