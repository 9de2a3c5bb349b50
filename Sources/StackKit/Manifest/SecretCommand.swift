import Foundation
import Synchronization

/// Runs a `from_command` secret's command on the controller (a password manager's CLI: `op
/// read`, `bw get`, `pass`, `vault kv get`, `aws secretsmanager`). Tests use fakes.
public protocol SecretCommandRunner: Sendable {
    func run(_ command: String, timeout: Duration) -> LocalProcess.Result
}

/// `sh -c COMMAND` on this machine (`LocalProcess`).
public struct ShellSecretCommands: SecretCommandRunner {
    public init() {}

    public func run(_ command: String, timeout: Duration) -> LocalProcess.Result {
        LocalProcess.run(["/bin/sh", "-c", command], timeout: timeout)
    }
}

/// One run of each distinct command per manifest read: two keys from one command ask it once.
final class SecretCommandCache: Sendable {
    private let results = Mutex<[String: LocalProcess.Result]>([:])

    func result(_ command: String, timeout: Duration, runner: any SecretCommandRunner) -> LocalProcess.Result {
        if let known = results.withLock({ $0[command] }) { return known }
        let result = runner.run(command, timeout: timeout)
        results.withLock { $0[command] = result }
        return result
    }
}
