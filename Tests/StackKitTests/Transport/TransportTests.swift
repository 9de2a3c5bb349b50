import Foundation
import Synchronization
import Testing
@testable import StackKit

@Suite struct TransportTests {
    @Test func shellQuotingLeavesSafeWordsAndQuotesTheRest() {
        #expect(ShellQuote.word("/srv/stackctl/shop/run") == "/srv/stackctl/shop/run")
        #expect(ShellQuote.word("") == "''")
        #expect(ShellQuote.word("a b") == "'a b'")
        #expect(ShellQuote.word("it's") == "'it'\\''s'")
        #expect(ShellQuote.word("$(reboot)") == "'$(reboot)'")
        #expect(ShellQuote.line(["sh", "-s"]) == "sh -s")
        #expect(ShellQuote.line(["python3", "-c", "print('x')"]) == "python3 -c 'print('\\''x'\\'')'")
    }

    @Test func sshArgvMultiplexesChecksHostKeysAndQuotesTheRemoteCommandOnce() {
        let options = SSHOptions(configFile: "/lab/ssh_config", connectTimeout: 7, controlDirectory: "/tmp/stackctl-abc")
        let host = Host(name: "app1", address: "127.0.0.13", sshUser: "deploy", sshPort: 2222)
        #expect(options.argv(for: host, command: ["sh", "-s"]) == [
            "ssh", "-F", "/lab/ssh_config",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=7",
            "-o", "ControlMaster=auto", "-o", "ControlPath=/tmp/stackctl-abc/%C-7", "-o", "ControlPersist=60",
            "-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=3",
            "-l", "deploy", "-p", "2222", "--", "127.0.0.13", "sh -s",
        ])
        // The user's ssh config decides user and port when the manifest does not.
        let plain = SSHOptions(controlDirectory: "/tmp/c").argv(for: Host(name: "a", address: "web1"), command: ["true"])
        #expect(!plain.contains("-l") && !plain.contains("-p") && !plain.contains("-F"))
        #expect(!plain.joined(separator: " ").contains("StrictHostKeyChecking"))
        #expect(SSHOptions(controlDirectory: "/tmp/c").exitArgv(for: Host(name: "a", address: "web1")).suffix(4) == ["-O", "exit", "--", "web1"])
        // Kept for the next run: ControlPersist says how long; keepalives give up in about the connect timeout.
        let kept = SSHOptions(connectTimeout: 10, controlDirectory: "/tmp/k", persist: 120).argv(for: Host(name: "a", address: "web1"), command: ["true"])
        #expect(kept.contains("ControlPersist=120") && kept.contains("ServerAliveInterval=3") && kept.contains("ServerAliveCountMax=3"))
    }

    @Test func theSharedControlDirectoryIsOnlyEverAPrivateOneOfThisUsers() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cm-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let dir = ControlDirectory.shared(environment: ["XDG_RUNTIME_DIR": base])
        #expect(dir == base + "/stackctl-ssh")
        var st = stat()
        #expect(lstat(base + "/stackctl-ssh", &st) == 0 && st.st_mode & 0o777 == 0o700)
        // Opened up to others, or a link: not used.
        chmod(base + "/stackctl-ssh", 0o755)
        #expect(ControlDirectory.shared(environment: ["XDG_RUNTIME_DIR": base]) == nil)
        try FileManager.default.removeItem(atPath: base + "/stackctl-ssh")
        try FileManager.default.createSymbolicLink(atPath: base + "/stackctl-ssh", withDestinationPath: "/tmp")
        #expect(ControlDirectory.shared(environment: ["XDG_RUNTIME_DIR": base]) == nil)
        // A relative runtime directory is not trusted.
        #expect(ControlDirectory.shared(environment: ["XDG_RUNTIME_DIR": "run"]) != "run/stackctl-ssh")
    }

    @Test func localTransportRunsArgvWithStdinAndReportsTheStatus() async throws {
        let t = LocalTransport(hostName: "here")
        let out = try await t.run(RemoteCommand(["sh", "-c", "cat; echo err >&2; exit 3"], stdin: Array("hello".utf8)))
        #expect(out == CommandOutput(status: 3, stdout: Array("hello".utf8), stderr: Array("err\n".utf8)))
    }

    /// A script streamed on a `local: true` host (the release command's) gets its script on
    /// standard input, as over ssh: `sh -s` no longer waits forever on an input that never ends.
    @Test func localTransportFollowsAScriptGivenOnStandardInput() async throws {
        let transport = LocalTransport(hostName: "here")
        final class Lines: Sendable { let seen = Mutex<[String]>([]) }
        let lines = Lines()
        let command = RemoteCommand(["sh", "-s"], stdin: Array("echo one\necho two\nexit 3\n".utf8), label: "release-hook")
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { try? await transport.follow(command) { line in lines.seen.withLock { $0.append(line) } } }
            // Bounded: a follow that hangs is cancelled (which ends its process group) and fails.
            // The bound is a hang guard, not a time limit: in the full parallel run the tests'
            // blocking work can keep both tasks from a thread for a minute (seen: 77 s).
            group.addTask { try? await Task.sleep(for: .seconds(300)); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(status == 3, "the script ran to its end")
        #expect(lines.seen.withLock { $0 } == ["one", "two"])
    }

    @Test func localTransportStopsACommandThatOutlivesItsTimeout() async {
        let t = LocalTransport(hostName: "here")
        await #expect(throws: TransportError.timedOut(host: "here", command: "sleep 30", after: .seconds(1))) {
            try await t.run(RemoteCommand(["sleep", "30"], timeout: .seconds(1)))
        }
    }

    /// The limit (timeout(1), a process of its own: it holds even while this process's tasks are
    /// kept from their threads, as in the full test run) ends the command's whole process group:
    /// SIGTERM, then SIGKILL 2 s later for what ignores it (a shell and its child here).
    @Test func aCommandThatIgnoresSIGTERMIsKilledWithItsChildren() async throws {
        let dir = try Fixtures.temporaryDirectory("limit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pids = dir.appendingPathComponent("pids").path
        let t = LocalTransport(hostName: "here")
        let script = "trap '' TERM; sleep 30 & echo $$ $! > \(pids); wait"
        await #expect(throws: TransportError.timedOut(host: "here", command: ShellQuote.line(["sh", "-c", script]), after: .seconds(1))) {
            try await t.run(RemoteCommand(["sh", "-c", script], timeout: .seconds(1)))
        }
        let ids = try String(contentsOfFile: pids, encoding: .utf8).split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(ids.count == 2)
        // The child, orphaned, is reaped by init once killed: wait for that (bounded).
        var alive = ids
        for _ in 0..<100 where !alive.isEmpty {
            alive = alive.filter { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
                return !stat.contains(") Z ")
            }
            if !alive.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(alive.isEmpty, "still running: \(alive)")
    }

    @Test func aDeadHostIsUnreachableWithSshsOwnMessage() async {
        // Nothing listens on port 1 of 127.0.0.1; a connection is refused at once.
        let control = try! ControlDirectory()
        defer { control.remove() }
        var options = SSHOptions(connectTimeout: 2, controlDirectory: control.path)
        options.configFile = "/dev/null"
        let t = OpenSSHTransport(host: Host(name: "ghost", address: "127.0.0.1", sshPort: 1), options: options)
        do {
            // A large script: ssh dies before reading it, which must not crash the writer.
            _ = try await t.run(RemoteCommand(["sh", "-s"], stdin: Array((String(repeating: "# padding\n", count: 120_000) + "true\n").utf8)))
            Issue.record("expected the host to be unreachable")
        } catch {
            guard case .unreachable(let host, let message) = error else { Issue.record("\(error)"); return }
            #expect(host == "ghost")
            #expect(message.contains("Connection refused"), "\(message)")
        }
    }
}
