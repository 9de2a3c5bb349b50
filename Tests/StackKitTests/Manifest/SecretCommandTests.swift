import Foundation
import Synchronization
import Testing
@testable import StackKit

/// `{ from_command: "op read ..." }`: a password manager's CLI run once per read on the
/// controller, its output the secret, its failure said at its position without its output.
@Suite struct SecretCommandTests {
    /// Answers each command from a table, counting the runs.
    final class Commands: SecretCommandRunner {
        let answers: [String: LocalProcess.Result]
        let runs = Mutex<[String]>([])
        init(_ answers: [String: LocalProcess.Result]) { self.answers = answers }
        func run(_ command: String, timeout: Duration) -> LocalProcess.Result {
            runs.withLock { $0.append(command) }
            return answers[command] ?? LocalProcess.Result(status: 127, stdout: Data(), stderr: Data("sh: 1: \(command): not found".utf8))
        }
    }

    static func parse(_ env: String, _ commands: any SecretCommandRunner, requireSecrets: Bool = true) throws(ManifestError) -> Manifest {
        try SecretsTests.manifest(env, commands: commands, requireSecrets: requireSecrets)
    }

    static func problems(_ env: String, _ commands: any SecretCommandRunner) -> [String] {
        do { _ = try parse(env, commands); return [] } catch { return error.diagnostics.map(\.description) }
    }

    static func ok(_ text: String) -> LocalProcess.Result { LocalProcess.Result(status: 0, stdout: Data(text.utf8), stderr: Data()) }

    @Test func itsOutputIsTheSecretAndEachCommandRunsOnce() throws {
        let commands = Commands(["op read op://vault/db/password": Self.ok("correct horse battery\n")])
        let m = try Self.parse("""
              DB_PASSWORD: { from_command: "op read op://vault/db/password" }
              DB_PASSWORD_AGAIN: { from_command: "op read op://vault/db/password", timeout: 5s }
        """, commands)
        let pool = try #require(m.pool(named: "main"))
        #expect(pool.environment.map(\.1) == ["correct horse battery", "correct horse battery"], "one trailing newline dropped")
        #expect(pool.secretKeys == ["DB_PASSWORD", "DB_PASSWORD_AGAIN"])
        #expect(commands.runs.withLock { $0 } == ["op read op://vault/db/password"])
    }

    @Test func aFailureSaysItsExitAndStderrAtItsPositionNeverItsOutput() {
        let commands = Commands([
            "op read op://vault/db/password": LocalProcess.Result(status: 1, stdout: Data("half-printed-secret".utf8),
                                                                  stderr: Data("[ERROR] 2026/12/02 not signed in\n".utf8)),
            "pass show shop/short": Self.ok("abc\n"),
            "vault kv get -field=pw shop": LocalProcess.Result(status: nil, stdout: Data(), stderr: Data()),
        ])
        let found = Self.problems("""
              A: { from_command: "op read op://vault/db/password" }
              B: { from_command: "pass show shop/short" }
              C: { from_command: "vault kv get -field=pw shop", timeout: 2s }
        """, commands)
        #expect(found == [
            "11:26: pools.main.env.A.from_command: the command failed (exit 1): [ERROR] 2026/12/02 not signed in",
            "12:26: pools.main.env.B.from_command: the secret from its command is 3 characters; secrets have at least 8 "
                + "(a value that short is no secret: put it in env as it is, or use a longer one)",
            "13:26: pools.main.env.C.from_command: the command did not finish within 2 s and was ended (raise 'timeout', or unlock the password manager first)",
        ])
        #expect(!found.joined().contains("half-printed-secret") && !found.joined().contains("abc"))
    }

    @Test func aTimeoutIsForCommandsOnlyAndWithinTenMinutes() {
        let found = Self.problems("""
              A: { from_env: HOME, timeout: 5s }
              B: { from_command: "true", timeout: 11m }
              C: { from_command: "true", from_env: HOME }
        """, Commands([:]))
        #expect(found.count == 3)
        #expect(found[0].hasPrefix("11:37: pools.main.env.A.timeout: a timeout is for 'from_command' only"))
        #expect(found[1].contains("pools.main.env.B.timeout: timeout 660 s is out of range; 1s to 10m"))
        #expect(found[2].contains("pools.main.env.C: give one of 'from_env', 'from_command', not both"))
    }

    @Test func aCommandThatDoesWithoutSecretsRunsNone() throws {
        let commands = Commands([:])
        let m = try Self.parse("      A: { from_command: \"op read op://x\" }", commands, requireSecrets: false)
        #expect(m.pool(named: "main")?.unresolvedSecrets == ["A"])
        #expect(commands.runs.withLock { $0 }.isEmpty, "status, down and logs never prompt a password manager")
    }

    /// The real runner: sh -c, its output and its words, and a command that outlives its time
    /// ended with its whole process group.
    @Test func theShellRunnerRunsTheCommandAndEndsOneThatHangs() throws {
        let runner = ShellSecretCommands()
        let out = runner.run("printf 'hunter2-%s\\n' \"$((40 + 2))\"", timeout: .seconds(10))
        #expect(out == LocalProcess.Result(status: 0, stdout: Data("hunter2-42\n".utf8), stderr: Data()))
        let failed = runner.run("echo 'not signed in' >&2; exit 3", timeout: .seconds(10))
        #expect(failed.status == 3 && failed.stderr == Data("not signed in\n".utf8))
        let marker = "/tmp/stackctl-secret-\(UUID().uuidString)"
        let hung = runner.run("sleep 30 & echo $! > \(marker); wait", timeout: .milliseconds(300))
        #expect(hung.status == nil)
        let child = try #require(Int32(try String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try? FileManager.default.removeItem(atPath: marker)
        var gone = false
        for _ in 0..<50 where !gone { gone = kill(child, 0) != 0; if !gone { usleep(100_000) } }
        #expect(gone, "the command's own children end with it")
    }
}
