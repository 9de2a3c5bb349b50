import Foundation

extension Scripts {
    /// `Python/pool_exec.py`, embedded in the binary.
    static let poolExecSource = String(decoding: PackageResources.pool_exec_py, as: UTF8.self)

    /// `stackctl exec`: `command` as the pool's user, in its current release directory, with
    /// the environment its workers get. The helper reads pool.json on the host, so no secret
    /// travels on a command line. `merge` sends standard error to standard output (`--all`
    /// prefixes each line with its host).
    public static func exec(_ pool: Pool, topology: Topology, command: [String], merge: Bool) -> RemoteCommand {
        let bindir = (pool.python as NSString).deletingLastPathComponent
        let argv = [pool.python, "-I", "-S", "-c", poolExecSource, topology.poolConfigPath(pool.name), pool.directory, bindir,
                    pool.virtualenv ?? "", pool.user, pool.group, merge ? "1" : "0", "--"] + command
        // An interactive shell may stay open for hours: the limit is a day.
        return RemoteCommand(argv, timeout: .seconds(86_400), phase: .command)
    }
}
