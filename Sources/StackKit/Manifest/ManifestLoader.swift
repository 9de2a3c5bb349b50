import Foundation

/// The entry point for reading a manifest: text or file in, a valid `Manifest` or every problem out.
public enum ManifestLoader {
    /// A destination's overlay: its text, and the names of both files for messages.
    public struct Overlay: Sendable {
        public var text: String
        public var destination: Destination
        /// The manifest's file, then the overlay's (`Mark.file` 0 and 1).
        public var files: [String]

        public init(text: String, destination: Destination, files: [String]) {
            (self.text, self.destination, self.files) = (text, destination, files)
        }
    }

    /// `sourceBase` resolves relative `source` paths; without it they are not checked on disk.
    /// `environment` resolves `from_env` secrets (by default the process's own, when reading a file).
    /// `requireSecrets: false` lets a secret that cannot be had pass as unresolved.
    /// `commands` runs `from_command` secrets (by default `sh -c`, when reading a file).
    public static func parse(_ text: String, overlay: Overlay? = nil, sourceBase: String? = nil, environment: [String: String]? = nil,
                             commands: (any SecretCommandRunner)? = nil, requireSecrets: Bool = true) throws(ManifestError) -> Manifest {
        guard var root = try YAMLLoader.load(text) else {
            throw ManifestError([Diagnostic(mark: Mark(line: 1, column: 1), path: "", message: "the manifest is empty")])
        }
        var diagnostics: [Diagnostic] = []
        if let overlay {
            (root, diagnostics) = try laid(overlay, over: root)
        }
        var decoder = ManifestDecoder()
        decoder.sourceBase = sourceBase ?? FileManager.default.currentDirectoryPath
        decoder.checkSources = sourceBase != nil
        decoder.secretEnvironment = environment ?? (sourceBase != nil ? ProcessInfo.processInfo.environment : nil)
        decoder.requireSecrets = requireSecrets
        decoder.secretCommands = commands ?? (sourceBase != nil ? ShellSecretCommands() : nil)
        var decoded = decoder.decode(root)
        diagnostics += without(decoder.r.diagnostics, within: diagnostics)
        decoded?.destination = overlay?.destination.name
        decoded?.files = overlay?.files ?? []
        if let decoded {
            // Whole-manifest checks run even after local errors, so one run reports everything;
            // a finding about a key that already has an error would only repeat it.
            var validator = ManifestValidator(decoded)
            diagnostics += without(validator.validate(), within: diagnostics)
        }
        guard let manifest = decoded, diagnostics.isEmpty else { throw ManifestError(diagnostics) }
        return manifest
    }

    /// `found` less what concerns a key that already has an error in `broken`.
    static func without(_ found: [Diagnostic], within broken: [Diagnostic]) -> [Diagnostic] {
        let paths = broken.map(\.path)
        return found.filter { d in !paths.contains { Self.within($0, d.path) || Self.within(d.path, $0) } }
    }

    /// The manifest with the overlay laid over it, and what the overlay cannot say. Without a
    /// name of its own, the destination's stack is `NAME-DESTINATION`.
    static func laid(_ overlay: Overlay, over root: Node) throws(ManifestError) -> (Node, [Diagnostic]) {
        let over = try YAMLLoader.load(overlay.text, file: 1) ?? .mapping([], Mark(line: 1, column: 1, file: 1))
        guard case .mapping = over else {
            throw ManifestError([Diagnostic(mark: over.mark, path: "", message: "an overlay must be a mapping of the keys it changes, found \(over.kindName)")])
        }
        let merged = ManifestOverlay.merge(root, over, files: overlay.files)
        var found = merged.conflicts
        if let flag = ManifestOverlay.topScalar(over, "require_destination") {
            found.append(Diagnostic(mark: flag.mark, path: "require_destination",
                                    message: "require_destination belongs in \(ValueRule.visible(overlay.files[0])), not in an overlay"))
        }
        var node = merged.node
        if ManifestOverlay.topScalar(over, "name") == nil, case .scalar(let name, let mark, let quoted)? = ManifestOverlay.topScalar(root, "name") {
            node = ManifestOverlay.setting(node, "name", to: .scalar(overlay.destination.stackName(name), mark, quoted: quoted))
        }
        return (node, found)
    }

    /// `path` is `parent` or a key below it (`a.b` is within `a`; `a[10]` and `ab` are not within `a[1]`, `a`).
    static func within(_ path: String, _ parent: String) -> Bool {
        guard path.hasPrefix(parent) else { return false }
        let rest = path.dropFirst(parent.count)
        return rest.isEmpty || parent.isEmpty || rest.first == "." || rest.first == "["
    }

    /// No manifest comes near this; a bigger file is a mistake (a log, an image, a disk).
    static let maxBytes = 4 << 20

    /// The manifest in `file`, with `destination`'s overlay laid over it. A destination must
    /// not clash with another of the same manifest (`DestinationCheck`).
    public static func load(file: String, destination: Destination? = nil, requireSecrets: Bool = true) throws -> Manifest {
        let text = try readText(file: file)
        let sourceBase = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path
        guard let destination else {
            if let flag = requiredDestination(text) {
                throw DestinationError.required(file: file, at: flag, known: Destination.known(beside: file))
            }
            return try parse(text, sourceBase: sourceBase, requireSecrets: requireSecrets)
        }
        let overlay = try overlay(destination, of: file)
        let manifest = try parse(text, overlay: overlay, sourceBase: sourceBase, requireSecrets: requireSecrets)
        let clashes = DestinationCheck(manifest: manifest).clashes(with: siblings(of: file, text: text, except: destination))
        if !clashes.isEmpty { throw ManifestError(clashes) }
        return manifest
    }

    static func overlay(_ destination: Destination, of file: String) throws -> Overlay {
        let path = destination.overlayFile(for: file)
        guard FileManager.default.fileExists(atPath: path) else {
            throw DestinationError.noOverlay(file: path, known: Destination.known(beside: file))
        }
        return Overlay(text: try readText(file: path), destination: destination, files: [file, path])
    }

    /// Where the manifest says `require_destination: true`, if it does.
    static func requiredDestination(_ text: String) -> Mark? {
        guard let root = try? YAMLLoader.load(text), let flag = ManifestOverlay.topScalar(root, "require_destination"),
              let word = flag.scalarText?.lowercased(), NodeReader.trueWords.contains(word) else { return nil }
        return flag.mark
    }

    /// The other stacks this manifest makes, as far as they read without secrets: each other
    /// destination, and the manifest alone unless it requires a destination. One that does not
    /// read is its own run's to report.
    static func siblings(of file: String, text: String, except this: Destination) -> [DestinationCheck.Sibling] {
        var found: [DestinationCheck.Sibling] = []
        if requiredDestination(text) == nil, let bare = try? parse(text, requireSecrets: false) {
            found.append(.init(label: nil, file: file, manifest: bare))
        }
        for name in Destination.known(beside: file) where name != this.name {
            guard let destination = try? Destination(name), let overlay = try? overlay(destination, of: file),
                  let manifest = try? parse(text, overlay: overlay, requireSecrets: false) else { continue }
            found.append(.init(label: name, file: overlay.files[1], manifest: manifest))
        }
        return found
    }

    /// A manifest file's text: a regular file of at most `maxBytes`, UTF-8.
    static func readText(file: String) throws -> String {
        let data: Data
        var st = stat()
        if stat(file, &st) == 0 {
            // Reading a FIFO or a device would block or never end; name what it is instead.
            if st.st_mode & S_IFMT != S_IFREG {
                throw ManifestFileError.unreadable(file: file, reason: "it is \(describe(st.st_mode & S_IFMT)), not a regular file")
            }
            if Int(st.st_size) > maxBytes {
                throw ManifestFileError.unreadable(file: file, reason: "it is \(st.st_size) bytes; a manifest is at most \(maxBytes) bytes")
            }
        }
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ManifestFileError.unreadable(file: file, reason: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ManifestFileError.notUTF8(file: file) }
        return text
    }
}

extension ManifestLoader {
    static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFIFO: "a FIFO (named pipe)"
        default: "a special file"
        }
    }
}

public enum ManifestFileError: Error, CustomStringConvertible, Sendable {
    case unreadable(file: String, reason: String)
    case notUTF8(file: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(ValueRule.visible(file)): cannot read the manifest: \(reason)"
        case .notUTF8(let file): "\(ValueRule.visible(file)): the manifest is not UTF-8 text"
        }
    }
}
