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

    struct Failure: Error { var message: String }

    /// A child that exits before reading its input (ssh that cannot connect) must not kill
    /// stackctl with SIGPIPE: the write fails with EPIPE and the exit status tells the story.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func run(_ argv: [String], stdin: [UInt8], timeout: Duration) async throws -> CommandOutput {
        _ = ignoreBrokenPipes
        let executable: Executable = argv[0].hasPrefix("/") ? .path(FilePath(argv[0])) : .name(argv[0])
        return try await withThrowingTaskGroup(of: CommandOutput?.self) { group in
            group.addTask {
                var options = PlatformOptions()
                options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
                let result = try await Subprocess.run(
                    executable, arguments: Arguments(Array(argv.dropFirst())),
                    platformOptions: options,
                    input: .array(stdin), output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
                let status: Int32 = switch result.terminationStatus {
                case .exited(let code): code
                case .signaled(let signal): 128 + signal
                }
                return CommandOutput(status: status, stdout: result.standardOutput, stderr: result.standardError)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let output = first else {
                throw Failure(message: "timed out")
            }
            return output
        }
    }
}
