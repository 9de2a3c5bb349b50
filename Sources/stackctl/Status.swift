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

    @Option(help: "text (the default), json (as --json) or prometheus (the text exposition format).")
    var format: StatusFormat?

    @Option(help: ArgumentHelp("Write the metrics to DIR/stackctl_STACK.prom, atomically, for node_exporter's textfile collector; "
                               + "exit 0 once written, whatever the stack's state (the metrics carry it).", valueName: "dir"),
            completion: .directory)
    var textfile: String?

    func validate() throws {
        if let watch, watch < 0.5 { throw ValidationError("--watch must be at least 0.5 seconds") }
        if textfile != nil, let format, format != .prometheus { throw ValidationError("--textfile writes the prometheus format only") }
    }

    var chosen: StatusFormat { textfile != nil ? .prometheus : format ?? (connection.json ? .json : .text) }

    func run() async throws {
        let m = try manifest.load(secrets: false)
        let connections = try connection.connections(for: m)
        let checker = StatusChecker(manifest: m, connections: connections, parallel: connection.parallel, clock: ContinuousClock())
        // The table goes to stdout: colour only when stdout is a terminal, never with NO_COLOR.
        let table = StatusTable(color: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        guard let watch else {
            let report = await checker.check()
            await connections.close()
            if let textfile {
                do { _ = try StatusMetrics(report, checkedAt: Date()).write(toDirectory: textfile) } catch {
                    printError("\(error)")
                    throw ExitCode(.cannotWrite)
                }
                return
            }
            try print(render(report, table), terminator: "")
            if report.exitCode != .ok { throw ExitCode(report.exitCode) }
            return
        }
        // Ctrl-C ends the watch cleanly: connections are closed, the control directory removed.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT)
        let task = Task {
            while !Task.isCancelled {
                let report = await checker.check()
                if let textfile {
                    // A long-running exporter: a file that cannot be written is said, and tried again.
                    do { _ = try StatusMetrics(report, checkedAt: Date()).write(toDirectory: textfile) } catch { printError("\(error)") }
                } else {
                    let text = try render(report, table)
                    let clear = isatty(STDOUT_FILENO) == 1 && chosen == .text ? "\u{1B}[H\u{1B}[2J" : ""
                    let footer = chosen == .text ? "refreshing every \(watch) s; Ctrl-C to stop\n" : ""
                    writeOut(clear + text + footer)
                }
                try await Task.sleep(for: .milliseconds(Int(watch * 1000)))
            }
        }
        interrupt.setEventHandler { task.cancel() }
        interrupt.resume()
        _ = await task.result
        await connections.close()
    }

    func render(_ report: StatusReport, _ table: StatusTable) throws -> String {
        switch chosen {
        case .text: table.render(report)
        case .json: try Self.json(report)
        case .prometheus: StatusMetrics(report, checkedAt: Date()).text
        }
    }

    static func json(_ report: StatusReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}

enum StatusFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, prometheus
}
