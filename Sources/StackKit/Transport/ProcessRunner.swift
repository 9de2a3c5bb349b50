import Foundation
import Subprocess
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

    /// The time limit is kept by coreutils' `timeout` (TERM, then KILL 2 s later), never by
    /// cancelling a running Subprocess.run, which swift-subprocess 1.0.2 does not survive.
    static func run(_ argv: [String], stdin: [UInt8], timeout: Duration) async throws -> CommandOutput {
        _ = ignoreBrokenPipes
        let seconds = max(1, timeout.inSeconds)
        let limited = ["timeout", "-k", "2", String(format: "%.3f", seconds)] + argv
        let result = try await Subprocess.run(
            ProgramPath.timeout, arguments: Arguments(Array(limited.dropFirst())),
            input: .fileDescriptor(try inputFile(stdin), closeAfterSpawningProcess: true),
            output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
        let status: Int32 = switch result.terminationStatus {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
        // 124: timed out and ended by TERM; 137: still running 2 s later and killed.
        if status == 124 || status == 137 { throw Failure.timedOut }
        return CommandOutput(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }
}
