import Foundation

/// `-d NAME`: which of a manifest's overlays (`deploy.NAME.yml` beside `deploy.yml`) to lay over it.
public struct Destination: Sendable, Equatable {
    public var name: String

    /// A name that is a plain word: it goes into a file name and into the stack's name.
    public init(_ name: String) throws(DestinationError) {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
        guard !name.isEmpty, name.count <= 32, allowed, name.first != "-", name.first != "_" else {
            throw .badName(name)
        }
        self.name = name
    }

    /// `deploy.yml` -> `deploy.NAME.yml` (`.yaml` kept; a file without either gets `.NAME.yml`).
    public func overlayFile(for manifest: String) -> String {
        let (stem, ext) = Self.split(manifest)
        return "\(stem).\(name)\(ext)"
    }

    static func split(_ file: String) -> (stem: String, ext: String) {
        for ext in [".yml", ".yaml"] where file.hasSuffix(ext) && file.count > ext.count {
            return (String(file.dropLast(ext.count)), ext)
        }
        return (file, ".yml")
    }

    /// The destinations that have an overlay beside `manifest`, by name, sorted.
    public static func known(beside manifest: String) -> [String] {
        let url = URL(fileURLWithPath: manifest)
        let (stem, ext) = split(url.lastPathComponent)
        let dir = url.deletingLastPathComponent().path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.compactMap { file -> String? in
            guard file.hasPrefix(stem + "."), file.hasSuffix(ext), file.count > stem.count + ext.count + 1 else { return nil }
            let middle = String(file.dropFirst(stem.count + 1).dropLast(ext.count))
            return (try? Destination(middle)) == nil ? nil : middle
        }.sorted()
    }

    /// The stack's name under this destination when its overlay gives none: `NAME-DESTINATION`,
    /// so two destinations on one host never share units, programs, a base or a lock.
    public func stackName(_ name: String) -> String { "\(name)-\(self.name)" }
}

public enum DestinationError: Error, Sendable, CustomStringConvertible {
    case badName(String)
    case noOverlay(file: String, known: [String])
    case required(file: String, at: Mark, known: [String])

    public var description: String {
        switch self {
        case .badName(let name):
            "destination '\(ValueRule.visible(name))' must be letters, digits, '-' and '_', start with a letter or digit, at most 32"
        case .noOverlay(let file, let known):
            "\(ValueRule.visible(file)): no such file, so no such destination" + Self.listing(known)
        case .required(let file, let at, let known):
            "\(ValueRule.visible(file)):\(at): require_destination is true: name one with -d NAME" + Self.listing(known)
        }
    }

    static func listing(_ known: [String]) -> String {
        known.isEmpty ? "; there is no deploy.NAME.yml beside the manifest" : "; destinations: \(known.joined(separator: ", "))"
    }
}
