import ArgumentParser
import Dispatch
import Foundation
import StackKit

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every tier on every host: process, health, config drift, release, listen address.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.unreachable, .unhealthy, .degraded]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Refresh every SECONDS seconds, in place, until interrupted.")
    var watch: Double?

    func validate() throws {
        if let watch, watch < 0.5 { throw ValidationError("--watch must be at least 0.5 seconds") }
    }

    func run() async throws {
        let m = try manifest.load(secrets: false)
        let connections = try connection.connections(for: m)
        let checker = StatusChecker(manifest: m, connections: connections, parallel: connection.parallel, clock: ContinuousClock())
        // The table goes to stdout: colour only when stdout is a terminal, never with NO_COLOR.
        let table = StatusTable(color: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        guard let watch else {
            let report = await checker.check()
            await connections.close()
            try print(connection.json ? Self.json(report) : table.render(report), terminator: "")
            if report.exitCode != .ok { throw ExitCode(report.exitCode) }
            return
        }
        // Ctrl-C ends the watch cleanly: connections are closed, the control directory removed.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT)
        let task = Task {
            while !Task.isCancelled {
                let report = await checker.check()
                let text = try connection.json ? Self.json(report) : table.render(report)
                let clear = isatty(STDOUT_FILENO) == 1 && !connection.json ? "\u{1B}[H\u{1B}[2J" : ""
                let footer = connection.json ? "" : "refreshing every \(watch) s; Ctrl-C to stop\n"
                writeOut(clear + text + footer)
                try await Task.sleep(for: .milliseconds(Int(watch * 1000)))
            }
        }
        interrupt.setEventHandler { task.cancel() }
        interrupt.resume()
        _ = await task.result
        await connections.close()
    }

    static func json(_ report: StatusReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}
