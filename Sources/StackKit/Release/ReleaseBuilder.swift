import Crypto
import Foundation

/// A pool's code, ready to ship: its content-derived id, the archive, and the hash of what its
/// virtualenv needs (releases with the same requirements share one virtualenv on a host).
public struct ReleaseArchive: Sendable, Equatable {
    public var id: String
    public var tarGz: [UInt8]
    public var requirementsHash: String
    public var fileCount: Int
    /// The release's requirements.txt, if it has one (the virtualenv stackctl builds installs it).
    public var requirements: String? = nil
}

public enum ReleaseError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case git(path: String, ref: String, message: String)
    case archive(message: String)
    /// A shipped static directory holds a link out of it, which the middle would follow.
    case linkOut(source: String, link: String, target: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read the release source \(path): \(reason)"
        case .git(let path, let ref, let message): "cannot archive \(ref) of \(path): \(message)"
        case .archive(let message): "cannot build the release archive: \(message)"
        case .linkOut(let source, let link, let target):
            "the static directory \(source) holds \(link), a symbolic link to \(target) outside it, "
                + "which the server would follow; replace it with the file itself"
        }
    }
}

/// Builds releases from a pool's `source`: the directory as it is (without .git, __pycache__,
/// *.pyc), or a git ref of it with `git archive`. The id is the first 12 hex digits of a sha256
/// over every file's path, mode and content (for a ref: over its tree id), so the same code
/// always gets the same id.
public enum ReleaseBuilder {
    static let skipped: Set<String> = [".git", "__pycache__", ".venv", "venv", ".mypy_cache", ".pytest_cache"]
    /// Every release's virtualenv gets the launcher's server.
    public static let flup = "flup==1.0.3"

    public static func build(_ pool: Pool) async throws(ReleaseError) -> ReleaseArchive {
        guard let source = pool.source else { throw .unreadable(path: pool.name, reason: "the pool has no source") }
        return try await build(source, pool: pool)
    }

    /// A shipped static directory's release: the same archive, no virtualenv. A symbolic link
    /// in it that leads out of it is refused: served, it would expose whatever it points at.
    public static func build(_ shipped: ShippedStatic) async throws(ReleaseError) -> ReleaseArchive {
        if let ref = shipped.source.ref {
            try await checkGitLinks(shipped.source.path, ref: ref)
        } else {
            try checkLinks(shipped.source.path)
        }
        return try await build(shipped.source, pool: nil)
    }

    /// Every symbolic link under `root` resolves (lexically, and on disk where it exists) inside it.
    static func checkLinks(_ root: String) throws(ReleaseError) {
        let fm = FileManager.default
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        let real = fm.destinationOfSymbolicLinkResolved(base)
        guard let walker = fm.enumerator(atPath: base) else { return }
        while let relative = walker.nextObject() as? String {
            let full = base + "/" + relative
            guard (try? fm.attributesOfItem(atPath: full))?[.type] as? FileAttributeType == .typeSymbolicLink,
                  let target = try? fm.destinationOfSymbolicLink(atPath: full) else { continue }
            let dir = (full as NSString).deletingLastPathComponent
            let lexical = URL(fileURLWithPath: target.hasPrefix("/") ? target : dir + "/" + target).standardizedFileURL.path
            let resolved = fm.destinationOfSymbolicLinkResolved(full)
            if !StaticExposure.within(lexical, base) || !(StaticExposure.within(resolved, real) || !fm.fileExists(atPath: full)) {
                throw .linkOut(source: root, link: relative, target: target)
            }
        }
    }

    /// The same for a git ref: its links (mode 120000) and where they point.
    static func checkGitLinks(_ path: String, ref: String) async throws(ReleaseError) {
        let listing: [UInt8]
        do { listing = try await run(["git", "-C", path, "ls-tree", "-r", "-z", ref]) } catch { throw .git(path: path, ref: ref, message: "\(error)") }
        for entry in listing.split(separator: 0).map({ String(decoding: $0, as: UTF8.self) }) where entry.hasPrefix("120000 ") {
            guard let tab = entry.firstIndex(of: "\t") else { continue }
            let fields = entry[..<tab].split(separator: " "), name = String(entry[entry.index(after: tab)...])
            guard fields.count == 3, let blob = try? await run(["git", "-C", path, "cat-file", "blob", String(fields[2])]) else { continue }
            let target = String(decoding: blob, as: UTF8.self)
            let dir = "/root/" + (name as NSString).deletingLastPathComponent
            if target.hasPrefix("/") || !StaticExposure.within(URL(fileURLWithPath: dir + "/" + target).standardizedFileURL.path, "/root") {
                throw .linkOut(source: "\(path) at \(ref)", link: name, target: target)
            }
        }
    }

    static func build(_ source: ReleaseSource, pool: Pool?) async throws(ReleaseError) -> ReleaseArchive {
        if let ref = source.ref { return try await fromGit(source.path, ref: ref, pool: pool) }
        let files = try listFiles(source.path)
        var digest = SHA256()
        var requirements = ""
        for (relative, mode, data) in files {
            digest.update(data: Array("\(relative)\0\(String(mode, radix: 8))\0".utf8))
            digest.update(data: Array(SHA256.hash(data: data)))
            if relative == "requirements.txt" { requirements = String(decoding: data, as: UTF8.self) }
        }
        let id = hex(digest.finalize()).prefix(12)
        // Code gets one fixed time (the archive is the same for the same code). Static files keep
        // their own: the middle's Last-Modified and ETag come from it, and a changed file of the
        // same size must not look unchanged to a browser's cache.
        let tar = try await run(["tar", "-C", source.path, "--sort=name", "--owner=0", "--group=0", "--numeric-owner"]
                                + (pool == nil ? [] : ["--mtime=@0"]) + ["--format=gnu"] + skipped.sorted().flatMap { ["--exclude", $0] }
                                    + ["--exclude", "*.pyc", "-czf", "-", "."])
        return ReleaseArchive(id: String(id), tarGz: tar, requirementsHash: requirementsHash(requirements, pool), fileCount: files.count,
                              requirements: files.contains { $0.0 == "requirements.txt" } ? requirements : nil)
    }

    static func fromGit(_ path: String, ref: String, pool: Pool?) async throws(ReleaseError) -> ReleaseArchive {
        do {
            let tree = try await run(["git", "-C", path, "rev-parse", "--verify", "\(ref)^{tree}"])
            let treeID = String(decoding: tree, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let tar = try await run(["git", "-C", path, "archive", "--format=tar.gz", ref])
            let shown = (try? await run(["git", "-C", path, "show", "\(ref):requirements.txt"])).map { String(decoding: $0, as: UTF8.self) }
            let requirements = shown ?? ""
            let count = try await run(["git", "-C", path, "ls-tree", "-r", "--name-only", ref])
            return ReleaseArchive(id: hex(SHA256.hash(data: Array(treeID.utf8))).prefix(12).description, tarGz: tar,
                                  requirementsHash: requirementsHash(requirements, pool), fileCount: count.split(separator: 10).count, requirements: shown)
        } catch .archive(let message) {
            throw .git(path: path, ref: ref, message: message)
        }
    }

    static func requirementsHash(_ requirements: String, _ pool: Pool?) -> String {
        guard let pool else { return "" }
        return String(hex(SHA256.hash(data: Array("\(pool.baseInterpreter)\n\(flup)\n\(requirements)".utf8))).prefix(12))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Regular files and their modes, sorted by path, skipping caches and VCS folders.
    static func listFiles(_ root: String) throws(ReleaseError) -> [(String, Int, [UInt8])] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: root) else { throw .unreadable(path: root, reason: "not a directory") }
        var out: [(String, Int, [UInt8])] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if skipped.contains(name) { walker.skipDescendants(); continue }
            if name.hasSuffix(".pyc") { continue }
            let full = root + "/" + relative
            guard let attrs = try? fm.attributesOfItem(atPath: full), attrs[.type] as? FileAttributeType == .typeRegular else { continue }
            guard let data = fm.contents(atPath: full) else { throw .unreadable(path: full, reason: "cannot read") }
            out.append((relative, (attrs[.posixPermissions] as? Int) ?? 0o644, Array(data)))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    static func run(_ argv: [String]) async throws(ReleaseError) -> [UInt8] {
        do {
            let out = try await ProcessRunner.run(argv, stdin: [], timeout: .seconds(300))
            guard out.status == 0 else { throw ReleaseError.archive(message: out.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return out.stdout
        } catch let error as ReleaseError {
            throw error
        } catch {
            throw .archive(message: "\(error)")
        }
    }
}

extension FileManager {
    /// `path` with every symbolic link in it resolved (realpath); `path` itself when it cannot be.
    func destinationOfSymbolicLinkResolved(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
