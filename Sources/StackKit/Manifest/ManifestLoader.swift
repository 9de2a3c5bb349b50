import Foundation

/// The entry point for reading a manifest: text or file in, a valid `Manifest` or every problem out.
public enum ManifestLoader {
    /// `sourceBase` resolves relative `source` paths; without it they are not checked on disk.
    /// `environment` resolves `from_env` secrets (by default the process's own, when reading a file).
    /// `requireSecrets: false` lets a secret that cannot be had pass as unresolved.
    /// `commands` runs `from_command` secrets (by default `sh -c`, when reading a file).
    public static func parse(_ text: String, sourceBase: String? = nil, environment: [String: String]? = nil,
                             commands: (any SecretCommandRunner)? = nil, requireSecrets: Bool = true) throws(ManifestError) -> Manifest {
        guard let root = try YAMLLoader.load(text) else {
            throw ManifestError([Diagnostic(mark: Mark(line: 1, column: 1), path: "", message: "the manifest is empty")])
        }
        var decoder = ManifestDecoder()
        decoder.sourceBase = sourceBase ?? FileManager.default.currentDirectoryPath
        decoder.checkSources = sourceBase != nil
        decoder.secretEnvironment = environment ?? (sourceBase != nil ? ProcessInfo.processInfo.environment : nil)
        decoder.requireSecrets = requireSecrets
        decoder.secretCommands = commands ?? (sourceBase != nil ? ShellSecretCommands() : nil)
        let decoded = decoder.decode(root)
        var diagnostics = decoder.r.diagnostics
        if let decoded {
            // Whole-manifest checks run even after local errors, so one run reports everything;
            // a finding about a key that already has an error would only repeat it.
            var validator = ManifestValidator(decoded)
            let broken = diagnostics.map(\.path)
            diagnostics += validator.validate().filter { found in
                !broken.contains { Self.within($0, found.path) || Self.within(found.path, $0) }
            }
        }
        guard let manifest = decoded, diagnostics.isEmpty else { throw ManifestError(diagnostics) }
        return manifest
    }

    /// `path` is `parent` or a key below it (`a.b` is within `a`; `a[10]` and `ab` are not within `a[1]`, `a`).
    static func within(_ path: String, _ parent: String) -> Bool {
        guard path.hasPrefix(parent) else { return false }
        let rest = path.dropFirst(parent.count)
        return rest.isEmpty || parent.isEmpty || rest.first == "." || rest.first == "["
    }

    /// No manifest comes near this; a bigger file is a mistake (a log, an image, a disk).
    static let maxBytes = 4 << 20

    public static func load(file: String, requireSecrets: Bool = true) throws -> Manifest {
        let text = try readText(file: file)
        return try parse(text, sourceBase: URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path, requireSecrets: requireSecrets)
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
