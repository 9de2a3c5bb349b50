import ArgumentParser
import Foundation
import StackKit

/// How to reach the hosts, shared by every command that talks to them.
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("F"), .customLong("ssh-config")], help: "An ssh config file to use instead of ~/.ssh/config.", completion: .file())
    var sshConfig: String?

    @Option(help: "Seconds to wait for an SSH connection.")
    var connectTimeout: Int = 10

    @Option(help: "Hosts to work on at once.")
    var parallel: Int = 8

    @Option(help: ArgumentHelp("Seconds each host's SSH connection stays open after the run for the next one (0: close them at the end).",
        valueName: "seconds"))
    var sshPersist: Int = 60

    @Flag(help: "Print the summary as JSON on standard output.")
    var json = false

    @Option(help: ArgumentHelp("Keeps every host's replies in this JSON file, for --replay.", visibility: .hidden))
    var record: String?

    @Option(help: ArgumentHelp("Answers every host from this recording (--record) instead of connecting: the controller's own cost, "
        + "measured on fleets no lab holds.", visibility: .hidden))
    var replay: String?

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard connectTimeout >= 1 else { throw ValidationError("--connect-timeout must be at least 1") }
        guard (0...86400).contains(sshPersist) else { throw ValidationError("--ssh-persist must be 0 to 86400 seconds") }
        guard record == nil || replay == nil else { throw ValidationError("--record and --replay do not go together") }
    }

    func connections(for manifest: Manifest) throws -> Connections {
        if let replay {
            return try Connections(replaying: Recording.load(replay), manifest: manifest)
        }
        let real = try Connections(hosts: Topology(manifest).activeHosts, sshConfig: sshConfig, connectTimeout: connectTimeout, persist: sshPersist)
        return record == nil ? real : real.recording()
    }

    /// Closes the connections; with --record, writes what the hosts replied first.
    func close(_ connections: Connections, _ manifest: Manifest) async throws {
        await connections.close()
        if let record { try connections.recording(of: manifest).save(record) }
    }
}
