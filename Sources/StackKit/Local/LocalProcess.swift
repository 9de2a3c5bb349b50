import Foundation
import Synchronization

/// A program run on this machine (the controller) to its end: a `from_command` secret's
/// command, a hook. It runs in a process group of its own, with stackctl's standard input; its
/// output and error are read as they come. Past its time limit its whole process group gets
/// SIGTERM, then SIGKILL 2 s later.
public enum LocalProcess {
    public struct Result: Sendable, Equatable {
        /// Nil when it outlived its time and was ended.
        public var status: Int32?
        public var stdout: Data
        public var stderr: Data

        public init(status: Int32?, stdout: Data, stderr: Data) {
            (self.status, self.stdout, self.stderr) = (status, stdout, stderr)
        }
    }

    final class Sink: Sendable {
        let data = Mutex(Data())
    }

    public static func run(_ argv: [String], environment: [String: String]? = nil, timeout: Duration) -> Result {
        let p = Process()
        // Foundation starts the child as the leader of a process group of its own (a session):
        // the group is what a time limit ends.
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let stdout = Sink(), stderr = Sink()
        let group = DispatchGroup()
        for (pipe, sink) in [(out, stdout), (err, stderr)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                sink.data.withLock { $0 = data }
                group.leave()
            }
        }
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }
        do { try p.run() } catch {
            out.fileHandleForWriting.closeFile()
            err.fileHandleForWriting.closeFile()
            return Result(status: 127, stdout: Data(), stderr: Data("cannot run \(argv.first ?? ""): \(error.localizedDescription)".utf8))
        }
        out.fileHandleForWriting.closeFile()
        err.fileHandleForWriting.closeFile()
        var ended = false
        let seconds = timeout.inSeconds
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            ended = true
            kill(-p.processIdentifier, SIGTERM)
            if exited.wait(timeout: .now() + 2) == .timedOut { kill(-p.processIdentifier, SIGKILL) }
        }
        p.waitUntilExit()
        _ = group.wait(timeout: .now() + 2)
        return Result(status: ended ? nil : p.terminationStatus, stdout: stdout.data.withLock { $0 }, stderr: stderr.data.withLock { $0 })
    }
}
