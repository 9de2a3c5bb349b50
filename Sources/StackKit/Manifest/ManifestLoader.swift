import Foundation

/// The entry point for reading a manifest: text or file in, a valid `Manifest` or every problem out.
public enum ManifestLoader {
    /// `sourceBase` resolves relative `source` paths; without it they are not checked on disk.
    public static func parse(_ text: String, sourceBase: String? = nil) throws(ManifestError) -> Manifest {
        guard let root = try YAMLLoader.load(text) else {
            throw ManifestError([Diagnostic(mark: Mark(line: 1, column: 1), path: "", message: "the manifest is empty")])
        }
        var decoder = ManifestDecoder()
        decoder.sourceBase = sourceBase ?? FileManager.default.currentDirectoryPath
        decoder.checkSources = sourceBase != nil
        let decoded = decoder.decode(root)
        var diagnostics = decoder.r.diagnostics
        if let decoded {
            // Whole-manifest checks run even after local errors, so one run reports everything;
            // a finding about a key that already has an error would only repeat it.
            var validator = ManifestValidator(decoded)
            let broken = diagnostics.map(\.path)
            diagnostics += validator.validate().filter { found in
                !broken.contains { $0.hasPrefix(found.path) || found.path.hasPrefix($0) }
            }
        }
        guard let manifest = decoded, diagnostics.isEmpty else { throw ManifestError(diagnostics) }
        return manifest
    }

    public static func load(file: String) throws -> Manifest {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ManifestFileError.unreadable(file: file, reason: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ManifestFileError.notUTF8(file: file) }
        return try parse(text, sourceBase: URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path)
    }
}

public enum ManifestFileError: Error, CustomStringConvertible, Sendable {
    case unreadable(file: String, reason: String)
    case notUTF8(file: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read the manifest: \(reason)"
        case .notUTF8(let file): "\(file): the manifest is not UTF-8 text"
        }
    }
}
