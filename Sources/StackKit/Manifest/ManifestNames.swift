import Foundation

/// The names a manifest gives, read without judging the rest of it: shell completion offers
/// them while the manifest is still being written, so a manifest with errors elsewhere still
/// completes its hosts and pools.
public struct ManifestNames: Sendable, Equatable {
    public var hosts: [String] = []
    public var pools: [String] = []
    /// What `logs` and `restart` take besides a pool (no `middle` in a stack without one).
    public var tiers = ["middle", "front"]

    public init(hosts: [String] = [], pools: [String] = [], tiers: [String] = ["middle", "front"]) {
        self.hosts = hosts
        self.pools = pools
        self.tiers = tiers
    }

    /// The names in `file`; none when it cannot be read or parsed as YAML.
    public static func read(file: String) -> ManifestNames {
        // The loader's own checks: a regular file of a manifest's size (a FIFO would hang the
        // shell's completion), in UTF-8.
        guard let text = try? ManifestLoader.readText(file: file),
              case .mapping(let pairs, _)? = try? YAMLLoader.load(text) else { return ManifestNames() }
        func keys(_ key: String) -> [String] {
            guard case .mapping(let entries, _)? = pairs.first(where: { $0.key.scalarText == key })?.value else { return [] }
            // Only names a command would take: nothing that could not be a host or pool.
            return entries.compactMap(\.key.scalarText).filter { ValueRule.name.problem(in: $0) == nil }
        }
        let middle = pairs.contains { $0.key.scalarText == "middle" }
        return ManifestNames(hosts: keys("hosts"), pools: keys("pools"), tiers: middle ? ["middle", "front"] : ["front"])
    }

    /// The manifest a command line names with `-f FILE`, `--file FILE` or `--file=FILE`
    /// (as the shell hands the words over: simple quotes are taken off), else deploy.yml.
    /// `shortFile: false` where -f means something else (`logs -f` follows).
    public static func file(in words: [String], shortFile: Bool = true) -> String {
        var file = "deploy.yml"
        for (i, word) in words.enumerated() {
            if word.hasPrefix("--file=") {
                file = String(word.dropFirst("--file=".count))
            } else if word == "--file", i + 2 < words.count, words[i + 1] == "=" {
                file = words[i + 2]  // bash splits `--file=FILE` at the '=' (COMP_WORDBREAKS)
            } else if (word == "--file" || (shortFile && word == "-f")), i + 1 < words.count {
                file = words[i + 1]
            }
        }
        if file.count >= 2, let q = file.first, q == "'" || q == "\"", file.last == q { file = String(file.dropFirst().dropLast()) }
        if file.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] { file = home + file.dropFirst() }
        return file
    }
}
