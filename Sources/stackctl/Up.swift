import ArgumentParser
import StackKit

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the stack: upload what changed, validate it on each host, start or reload each tier bottom-up, health-checking each before the next.",
        discussion: "Exit status: 0 done; 1 invalid manifest; 2 usage; 3 a host unreachable (nothing changed); 4 a config refused by its server's check (nothing changed); 5 a tier unhealthy; 6 a command failed on a host.")

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let m = try manifest.load()
        let output = Output(json: connection.json)
        let connections = try connection.connections(for: m)
        let deployer = Deployer(manifest: m, connections: connections, parallel: connection.parallel, clock: ContinuousClock(), events: output.event)
        let report = await deployer.up()
        await connections.close()
        try output.summary(report)
        if !report.ok { throw ExitCode(report.exitCode) }
    }
}

struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the stack: front, then middle, then workers.",
        discussion: "Exit status: 0 done; 3 a host unreachable; 6 a command failed on a host.")

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let m = try manifest.load()
        let output = Output(json: connection.json)
        let connections = try connection.connections(for: m)
        let report = await Deployer(manifest: m, connections: connections, parallel: connection.parallel, clock: ContinuousClock(), events: output.event).down()
        await connections.close()
        try output.summary(report)
        if !report.ok { throw ExitCode(report.exitCode) }
    }
}
