import ArgumentParser
import Dispatch
import Foundation
import StackKit
import Synchronization

struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the stack's logs across hosts: each program's own log and the servers' error logs, every line prefixed by its host and source.",
        discussion: """
        POOL shows that pool's workers; `middle` or `front` that server (its process log and its \
        error log). With nothing named, everything, supervisord's own log included. Under \
        supervisord a program's log is its log file; under systemd, its unit's journal. With -f, \
        new lines are shown as they are written on every host at once, until Ctrl-C. Here -f is \
        --follow, as in tail; the manifest is given with --file.

        """ + ExitStatus.help(ExitStatus.manifest + [.unreachable]))

    // -f is --follow here, as in tail: the manifest is --file only.
    @Option(name: .customLong("file"), help: "The manifest to read.", completion: Complete.manifest)
    var file = "deploy.yml"

    @Option(name: [.short, .customLong("destination")], help: "Lay deploy.NAME.yml over the manifest: staging, production...",
            completion: Complete.destinations)
    var destination: String?

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "A pool, `middle` or `front` (default: everything).", completion: Complete.poolsAndTiersLongFile)
    var target: String?

    @Option(name: .customLong("host"), help: "Only this host (repeat for more).", completion: Complete.hostsLongFile)
    var host: [String] = []

    @Option(name: .short, help: "Lines of each log to show first.")
    var n = 20

    @Flag(name: [.short, .long], help: "Follow: keep showing new lines until Ctrl-C.")
    var follow = false

    func validate() throws {
        guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
    }

    func run() async throws {
        let m = try ManifestOptions.load(file, destination: destination, secrets: false)
        try ManifestOptions.requireHosts(host, in: m, file: file)
        var scope: ProgramScope?
        if let target {
            guard let s = ProgramScope.named(target, in: m) else {
                throw ManifestOptions.usage(ProgramScope.unknown(target, in: m))
            }
            scope = s
        }
        let connections = try connection.connections(for: m)
        let color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let paint = { @Sendable (text: String, code: String) in color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let printing = Mutex(())
        let logs = StackLogs(manifest: m, connections: connections)
        let work = logs.sources(scope, hosts: host.isEmpty ? nil : host)
        let width = work.map(\.host.count).max() ?? 0
        let json = connection.json
        let reading = Task {
            await logs.read(work, lines: n, follow: follow) { line in
                // One line at a time from every host's reader, each out at once (a follow piped to a file too).
                let text = json
                    ? line.jsonLine
                    : paint(line.host.padding(toLength: width, withPad: " ", startingAt: 0), "1") + " " + paint(line.source + ":", "2") + " " + line.text
                printing.withLock { _ in writeOut(text + "\n") }
            }
        }
        // Ctrl-C or SIGTERM ends a follow: every host's reader is stopped, the connections closed.
        var stops: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { reading.cancel() }
            source.resume()
            stops.append(source)
        }
        let failed = await reading.value
        stops.forEach { $0.cancel() }
        await connections.close()
        for (h, error) in failed where !(follow && reading.isCancelled) { printError("\(h): \(error.reason)") }
        if !failed.isEmpty && !reading.isCancelled { throw ExitCode(.unreachable) }
    }
}
