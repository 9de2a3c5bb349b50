import ArgumentParser
import StackKit

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a manifest and report every problem with its line and column.",
        discussion: ExitStatus.help(ExitStatus.manifest))

    @OptionGroup var manifest: ManifestOptions

    func run() throws {
        let m = try manifest.load()
        let workers = m.pools.reduce(0) { $0 + $1.instances * $1.hosts.count }
        let middle = m.middle.byFront ? "no middle (Apache serves the stack)" : "\(m.middle.server.rawValue) middle"
        let files = m.files.isEmpty ? manifest.file : m.files.joined(separator: " + ")
        print("\(files): valid: stack '\(m.name)', \(m.hosts.count) hosts, \(middle), \(m.pools.count) pools, \(workers) workers")
    }
}
