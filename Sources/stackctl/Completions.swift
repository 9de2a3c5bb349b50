import ArgumentParser
import StackKit

/// Completions read from the manifest the command line names (`-f`/`--file`, else
/// deploy.yml): pools, tiers and hosts. Each runs when the user presses TAB, not when the
/// script is generated, so it always offers the manifest as it is now.
enum Complete {
    static let manifest = CompletionKind.file(extensions: ["yml", "yaml"])

    static let pools = names { $0.pools }
    static let poolsAndTiers = names { $0.pools + $0.tiers }
    static let hosts = names { $0.hosts }

    /// `logs` takes the manifest as --file only (-f is --follow there).
    static let poolsAndTiersLongFile = names(shortFile: false) { $0.pools + $0.tiers }
    static let hostsLongFile = names(shortFile: false) { $0.hosts }

    /// The destinations: each deploy.NAME.yml beside the manifest.
    static let destinations = CompletionKind.custom { words, _, prefix in
        Destination.known(beside: ManifestNames.file(in: words)).filter { $0.hasPrefix(prefix) }
    }

    /// A comma-separated list of hosts: offers the list so far with each host not yet in it.
    static let hostList = CompletionKind.custom { words, _, prefix in
        let names = ManifestNames.read(file: ManifestNames.file(in: words)).hosts
        let done = prefix.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let head = done.dropLast().map { $0 + "," }.joined(), last = done.last ?? ""
        return names.filter { $0.hasPrefix(last) && !done.dropLast().contains($0) }.map { head + $0 }
    }

    static func names(shortFile: Bool = true, _ pick: @escaping @Sendable (ManifestNames) -> [String]) -> CompletionKind {
        .custom { words, _, prefix in
            pick(ManifestNames.read(file: ManifestNames.file(in: words, shortFile: shortFile))).filter { $0.hasPrefix(prefix) }
        }
    }
}
