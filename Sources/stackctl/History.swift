import ArgumentParser
import Foundation
import StackKit

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the runs that changed the stack's hosts, from every host's history, merged.",
        discussion: "Each host appends one JSON line to BASE/history.jsonl per run that changed it.\n\n"
            + ExitStatus.help(ExitStatus.manifest + [.unreachable]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Only this host (repeatable).", completion: Complete.hosts)
    var host: [String] = []

    @Option(name: .short, help: "How many entries to show.")
    var n = 20

    func validate() throws {
        guard n >= 1 else { throw ValidationError("-n must be at least 1") }
    }

    func run() async throws {
        let m = try manifest.load(secrets: false)
        try manifest.requireHosts(host, in: m)
        let connections = try connection.connections(for: m)
        let (runs, errors) = await Deployer(manifest: m, connections: connections, parallel: connection.parallel, clock: ContinuousClock())
            .history(hosts: host.isEmpty ? nil : host, count: n)
        await connections.close()
        for (h, why) in errors.sorted(by: { $0.key < $1.key }) { printError("\(h): unreachable: \(why)") }
        let output = Output(json: connection.json)
        if connection.json {
            try output.printJSON(runs)
        } else {
            if let d = m.destination { print("stack \(m.name), destination \(d)") }
            for r in runs {
                let outcome = r.outcome == "ok" ? output.paint("ok", "32") : output.paint("\(r.outcome) (\(r.exitCode))", "31")
                print("\(r.time)  \(r.operator)  \(r.command)\(r.destination.map { " -d \($0)" } ?? "")  \(outcome)" + (r.failure.map { ": \($0)" } ?? ""))
                for e in r.hosts { print("    \(e.host): \(Self.summary(e))") }
            }
        }
        if !errors.isEmpty { throw ExitCode(.unreachable) }
    }

    static func summary(_ e: HistoryEntry) -> String {
        var what: [String] = []
        if !e.releases.isEmpty { what.append("release " + e.releases.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) }
        if !e.files.isEmpty { what.append("\(e.files.count) file\(e.files.count == 1 ? "" : "s") updated") }
        for (verb, names) in [("started", e.started), ("restarted", e.restarted), ("reloaded", e.reloaded), ("stopped", e.stopped)] where !names.isEmpty {
            what.append("\(verb) \(names.joined(separator: ", "))")
        }
        return what.isEmpty ? "nothing changed" : what.joined(separator: "; ")
    }
}
