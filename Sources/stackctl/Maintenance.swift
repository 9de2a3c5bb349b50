import ArgumentParser
import Foundation
import StackKit

struct Maintenance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer 503 with a maintenance page at the front, or stop; show whether it is on.",
        discussion: """
        While it is on, every front host answers 503 with Retry-After and the page (built in, or \
        front.maintenance.error_pages/503.html), except its health path and the client networks in \
        front.maintenance.allow. Switching takes no reload and drops no request; 'up' keeps it on.
        """,
        subcommands: [MaintenanceOn.self, MaintenanceOff.self, MaintenanceStatus.self])

    /// On and off: the exit statuses of a run under the deploy lock.
    static let switching = ExitStatus.help(ExitStatus.manifest + [.unreachable, .hostCommandFailed, .locked, .hookFailed])
}

struct MaintenanceOn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "on", abstract: "Put the site behind the maintenance page.",
                                                    discussion: Maintenance.switching)

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var lock: LockOptions

    @Option(help: "The page's message (the built-in page only).")
    var message: String = ""

    @Option(help: ArgumentHelp("The Retry-After the 503s carry.", valueName: "seconds"))
    var retryAfter: Int = 300

    func validate() throws {
        guard (1...86400).contains(retryAfter) else { throw ValidationError("--retry-after must be 1 to 86400 seconds") }
        if message.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.value == 0x2028 || $0.value == 0x2029 }) {
            throw ValidationError("--message: one line of text, without control characters")
        }
    }

    func run() async throws {
        let m = try manifest.load(secrets: false)
        let page: String
        if let dir = m.front.maintenance.errorPages {
            guard let text = try? String(contentsOfFile: dir + "/503.html", encoding: .utf8) else {
                printError("cannot read \(dir)/503.html (front.maintenance.error_pages)")
                throw ExitCode(.cannotRead)
            }
            page = text
        } else {
            page = MaintenancePage.html(message: message, retryAfter: retryAfter)
        }
        let action = MaintenanceAction.on(message: message, retryAfter: retryAfter, page: page)
        try await connection.deploy(manifest, "maintenance on", secrets: false, lockWait: lock.duration) { await $0.maintenance(action) }
    }
}

struct MaintenanceOff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "off", abstract: "Take the maintenance page down: the site answers again.",
                                                    discussion: Maintenance.switching)
    @OptionGroup var lock: LockOptions
    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await connection.deploy(manifest, "maintenance off", secrets: false, lockWait: lock.duration) { await $0.maintenance(.off) }
    }
}

struct MaintenanceStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show whether each front host is in maintenance.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.unreachable]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let m = try manifest.load(secrets: false)
        let connections = try connection.connections(for: m)
        let report = await Deployer(manifest: m, connections: connections, parallel: connection.parallel, clock: ContinuousClock())
            .maintenance(.status)
        await connections.close()
        if connection.json {
            try Output(json: true).printJSON(report.maintenance)
        } else {
            for (host, mode) in report.maintenance.sorted(by: { $0.key < $1.key }) {
                guard let s = mode.state else { print("\(host): off"); continue }
                print("\(host): on since \(s.since) by \(s.by), Retry-After \(s.retryAfter) s" + (s.message.isEmpty ? "" : ": \(s.message)"))
            }
            if let failure = report.failure { printError(failure) }
        }
        if report.exitCode != .ok { throw ExitCode(report.exitCode) }
    }
}
