import ArgumentParser
import Foundation
import StackKit
import Synchronization

struct Exec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command in a pool's current release, as the pool's user, with the environment its workers get.",
        discussion: """
        The command runs in the pool's directory (for a pool shipped from `source`, its current \
        release), as the pool's user and group, with the pool's environment (secrets included: \
        read from pool.json on the host, never put on a command line) and the pool's Python \
        first on PATH. On one host (the pool's first, or --host) it gets a terminal when \
        stackctl runs on one, so a shell or a REPL works: `stackctl exec main -- python \
        manage.py shell`. With --all it runs on every host of the pool at once, without a \
        terminal, and each line of its output (standard error merged) is prefixed by its host.

        Exit status: the command's own on one host (as ssh gives it); with --all the largest \
        of the hosts' (3 for a host that could not be reached). 1, 64 and 66 as every command \
        for a bad manifest, pool, host or option.
        """)

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The pool.", completion: Complete.pools)
    var pool: String

    @Option(help: "The host to run on (default: the pool's first host).", completion: Complete.hosts)
    var host: String?

    @Flag(help: "Run on every host of the pool at once, each line prefixed by its host.")
    var all = false

    @Flag(inversion: .prefixedNo, help: "Give the command a terminal on the host (default: when stackctl has one).")
    var tty: Bool?

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after --, e.g. stackctl exec \(pool) -- python manage.py shell") }
        if all && host != nil { throw ValidationError("--host and --all exclude each other") }
        if all && tty == true { throw ValidationError("--all runs without a terminal; leave out --tty") }
        if connection.json && !all { throw ValidationError("--json goes with --all (on one host the output is the command's own)") }
    }

    func run() async throws {
        let m = try manifest.load(secrets: false)
        guard let p = m.pool(named: pool) else {
            throw ManifestOptions.usage("no pool named '\(pool)'; pools in \(manifest.file): \(m.pools.map(\.name).joined(separator: ", "))")
        }
        if let host, !p.hosts.contains(host) {
            throw ManifestOptions.usage("pool '\(pool)' does not run on host '\(host)'; its hosts: \(p.hosts.joined(separator: ", "))")
        }
        let connections = try connection.connections(for: m)
        let exec = PoolExec(manifest: m, pool: p, connections: connections)
        let status: Int32
        if all {
            status = await runAll(exec)
        } else {
            let terminal = tty ?? (isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1)
            do {
                status = try await exec.attach(host: host ?? p.hosts[0], command: command, tty: terminal)
            } catch {
                await connections.close()
                printError("\(error)")
                throw ExitCode(.unreachable)
            }
        }
        await connections.close()
        throw ExitCode(status)
    }

    func runAll(_ exec: PoolExec) async -> Int32 {
        let width = exec.pool.hosts.map(\.count).max() ?? 0
        let json = connection.json
        let printing = Mutex(())
        let outcomes = await exec.runAll(command: command, parallel: connection.parallel) { line in
            let text = json ? line.jsonLine : line.host.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + line.text
            printing.withLock { _ in writeOut(text + "\n") }
        }
        for (host, result) in outcomes {
            switch result {
            case .success(0): break
            case .success(let status): printError("\(host): exit \(status)")
            case .failure(let error): printError("\(host): \(error.reason)")
            }
        }
        return PoolExec.status(outcomes)
    }
}
