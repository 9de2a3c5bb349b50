import ArgumentParser
import Foundation
import StackKit

/// How to reach the hosts, shared by every command that talks to them.
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("F"), .customLong("ssh-config")], help: "An ssh config file to use instead of ~/.ssh/config.")
    var sshConfig: String?

    @Option(help: "Seconds to wait for an SSH connection.")
    var connectTimeout: Int = 10

    @Option(help: "Hosts to work on at once.")
    var parallel: Int = 8

    @Flag(help: "Print the summary as JSON on standard output.")
    var json = false

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard connectTimeout >= 1 else { throw ValidationError("--connect-timeout must be at least 1") }
    }

    func connections(for manifest: Manifest) throws -> Connections {
        try Connections(hosts: Topology(manifest).activeHosts, sshConfig: sshConfig, connectTimeout: connectTimeout)
    }
}
