import ArgumentParser
import Foundation
import StackKit

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every host for what its tiers need, changing nothing: ssh and root, each binary with its version, "
            + "Apache's modules, python and flup, free ports, disk space, open files.",
        discussion: """
        Anything missing is named, with the one apt-get install line (and any other command) that \
        fixes it. `up` runs the same check first and stops before changing anything.

        """ + ExitStatus.help(ExitStatus.manifest + [.unreachable, .notReady]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    struct JSONReport: Encodable {
        var ok: Bool
        var hosts: [HostCheck]
        var unreachable: [String: String]
    }

    func run() async throws {
        let m = try manifest.load(secrets: false)
        let connections = try connection.connections(for: m)
        let output = Output(json: connection.json)
        let (checks, unreachable) = await Deployer(manifest: m, connections: connections, parallel: connection.parallel, clock: ContinuousClock()).check()
        await connections.close()
        if connection.json {
            try output.printJSON(JSONReport(ok: unreachable.isEmpty && checks.allSatisfy(\.ok), hosts: checks,
                                            unreachable: Dictionary(unreachable.map { ($0.host, $0.error) }, uniquingKeysWith: { a, _ in a })))
        } else {
            for c in checks {
                print("\(c.host): " + (c.ok ? output.paint("ready", "32") : output.paint("NOT READY", "31;1")))
                for item in c.items { print("  " + (item.ok ? output.paint("ok  ", "32") : output.paint("FAIL", "31")) + " \(item.what): \(item.detail)") }
                if let apt = c.aptLine { print("  fix: " + apt) }
                for f in c.fixes { print("  fix: " + f) }
            }
            for u in unreachable { print("\(u.host): " + output.paint("unreachable", "31;1") + ": \(u.error)") }
        }
        if !unreachable.isEmpty { throw ExitCode(.unreachable) }
        if !checks.allSatisfy(\.ok) { throw ExitCode(.notReady) }
    }
}
