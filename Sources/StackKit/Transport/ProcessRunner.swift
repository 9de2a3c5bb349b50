import Foundation
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a local program with stdin bytes, collecting its output, within a time limit.
enum ProcessRunner {
    static let outputLimit = 64 * 1024 * 1024

    enum Failure: Error, CustomStringConvertible {
        case timedOut
        case inputFile(String)

        var description: String {
            switch self {
            case .timedOut: "timed out"
            case .inputFile(let message): message
            }
        }
    }

    /// A child that exits before reading its input (ssh that cannot connect) must not kill
    /// stackctl with SIGPIPE: the write fails with EPIPE and the exit status tells the story.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Standard input comes from an unlinked temporary file, not a pipe: a child that exits
    /// before reading it (ssh to a dead host) would make swift-subprocess 1.0.2's pipe writer
    /// fail with EPIPE and trap.
    static func inputFile(_ bytes: [UInt8]) throws -> FileDescriptor {
        var template = Array("/tmp/stackctl-in-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw Failure.inputFile("cannot create a temporary file: \(String(cString: strerror(errno)))") }
        unlink(template)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                close(fd)
                throw Failure.inputFile("cannot write a temporary file: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        lseek(fd, 0, SEEK_SET)
        return FileDescriptor(rawValue: fd)
    }

    /// The time limit is kept here, by pid: past it the program gets SIGTERM, and SIGKILL 2 s
    /// later if it still runs. A running Subprocess.run is never cancelled (swift-subprocess 1.0.2
    /// does not survive that); and no `timeout(1)` runs in between (a process less for every
    /// command, and every run sends one or more to each host).
    static func run(_ argv: [String], stdin: [UInt8], timeout: Duration) async throws -> CommandOutput {
        _ = ignoreBrokenPipes
        let watch = Watch()
        let timer = Task.detached { await watch.limit(max(.seconds(1), timeout)) }
        defer { timer.cancel() }
        // Its own process group, as under timeout(1): a Ctrl-C at the terminal reaches stackctl
        // (which stops at a safe point), not the commands in flight; the limit ends the group.
        var options = PlatformOptions()
        options.processGroupID = 0
        let result = try await Subprocess.run(
            ProgramPath.executable(argv[0]), arguments: Arguments(Array(argv.dropFirst())), platformOptions: options,
            input: .fileDescriptor(try inputFile(stdin), closeAfterSpawningProcess: true),
            output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit)
        ) { execution in watch.started(execution.processIdentifier.value) }
        // The run reaped it: a limit reached from here on signals nothing (the pid may be reused).
        guard !watch.finish() else { throw Failure.timedOut }
        let status: Int32 = switch result.terminationStatus {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
        return CommandOutput(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// One program's time limit: its pid while it runs, and whether the limit ended it.
    final class Watch: Sendable {
        private let state = Mutex<(pid: pid_t?, done: Bool, fired: Bool)>((nil, false, false))

        func started(_ pid: pid_t) { state.withLock { $0.pid = pid } }

        /// Marks the program reaped; true when the limit had ended it.
        func finish() -> Bool { state.withLock { $0.done = true; return $0.fired } }

        /// Sends `signal` to the program's group if it still runs; `fire` marks the limit as reached.
        /// A program that has exited is never signalled, reaped or not: when this process's tasks
        /// are kept from their threads (seen: a minute, in the full test run), the run may not
        /// have collected a program that ended in time, and that is no timeout.
        private func signal(_ signal: Int32, fire: Bool) -> Bool {
            state.withLock { s in
                guard !s.done, let pid = s.pid, Self.running(pid) else { return false }
                if fire { s.fired = true }
                kill(-pid, signal)
                return true
            }
        }

        /// Whether our child `pid` still runs: not exited (a zombie), not reaped (then the pid is
        /// not our child's, whoever has it now). Looks without reaping it.
        static func running(_ pid: pid_t) -> Bool {
            var info = siginfo_t()
            guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return false }
            return info._sifields._sigchld.si_pid == 0
        }

        /// Past `limit` (real time, as every transport limit), SIGTERM; 2 s later, SIGKILL.
        /// Returns at once when it is cancelled.
        func limit(_ limit: Duration) async {
            let clock = ContinuousClock()
            guard (try? await clock.sleep(for: limit)) != nil, signal(SIGTERM, fire: true) else { return }
            guard (try? await clock.sleep(for: .seconds(2))) != nil else { return }
            _ = signal(SIGKILL, fire: true)
        }
    }
}
