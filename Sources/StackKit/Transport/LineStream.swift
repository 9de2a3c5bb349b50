import Foundation
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

extension Transport {
    /// A command that keeps printing (a log follow), for transports that cannot stream: its
    /// whole output, line by line, once it has ended.
    public func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32 {
        let out = try await run(command)
        for l in out.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { line(String(l)) }
        return out.status
    }
}

/// Runs a local program in its own process group, handing over its standard output line by
/// line as it comes. Cancelling ends it: its standard input (a pipe held open until then)
/// closes, which tells a remote follow that the reader left, and its process group gets
/// SIGTERM. The run itself is never cancelled (swift-subprocess 1.0.2 does not survive that):
/// it ends when the program does.
enum LineStream {
    /// `input`, when given, is written to the program's standard input, which then closes (a
    /// script for `sh -s` that streams its output).
    static func run(_ argv: [String], input: [UInt8] = [], line: @escaping @Sendable (String) -> Void) async throws -> Int32 {
        _ = ProcessRunner.ignoreBrokenPipes
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ProcessRunner.Failure.inputFile("cannot make a pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        let writer = Mutex<Int32?>(fds[1])
        let pid = Mutex<pid_t?>(nil)
        let reader = fds[0]
        let closeInput = { @Sendable in writer.withLock { if let fd = $0 { close(fd); $0 = nil } } }
        var options = PlatformOptions()
        options.processGroupID = 0
        let work = Task.detached { () throws -> Int32 in
            let result = try await Subprocess.run(
                ProgramPath.env, arguments: Arguments(argv), platformOptions: options,
                input: .fileDescriptor(FileDescriptor(rawValue: reader), closeAfterSpawningProcess: true),
                output: .sequence, error: .discarded
            ) { execution in
                pid.withLock { $0 = execution.processIdentifier.value }
                if !input.isEmpty, let out = writer.withLock({ $0 }) {
                    // Written beside the reading, so a script longer than a pipe's buffer never blocks it.
                    Task.detached {
                        input.withUnsafeBytes { buffer in
                            var offset = 0
                            while offset < buffer.count {
                                let n = write(out, buffer.baseAddress! + offset, buffer.count - offset)
                                if n < 0 && errno == EINTR { continue }
                                if n <= 0 { break }
                                offset += n
                            }
                        }
                        closeInput()
                    }
                }
                var pending: [UInt8] = []
                for try await chunk in execution.standardOutput {
                    chunk.withUnsafeBytes { pending += $0 }
                    while let nl = pending.firstIndex(of: 10) {
                        line(String(decoding: pending[..<nl], as: UTF8.self))
                        pending.removeSubrange(...nl)
                    }
                }
                if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
            }
            closeInput()
            return switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }
        return try await withTaskCancellationHandler {
            try await work.value
        } onCancel: {
            closeInput()
            if let p = pid.withLock({ $0 }) { kill(-p, SIGTERM) }
        }
    }
}
