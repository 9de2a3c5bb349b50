import Foundation
import Synchronization

/// stackctl run in the background, its progress (standard error) gathered as it comes and
/// handed to `onText` with all of it so far.
final class Running: Sendable {
    final class Text: Sendable {
        let value = Mutex("")
    }

    let process: Process
    private let seen = Text()
    private let pipe = Pipe()

    init(_ args: [String], onText: @escaping @Sendable (String) -> Void = { _ in }) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLITests.binary)
        p.arguments = args
        p.standardError = pipe
        p.standardOutput = FileHandle.nullDevice
        process = p
        pipe.fileHandleForReading.readabilityHandler = { [seen] h in
            let chunk = String(decoding: h.availableData, as: UTF8.self)
            onText(seen.value.withLock { $0 += chunk; return $0 })
        }
        try p.run()
    }

    var progress: String { seen.value.withLock { $0 } }
    var pid: Int32 { process.processIdentifier }

    /// Waits up to `seconds` for it to end (ending it if it does not); its exit status, 128 + N
    /// for a signal.
    func finish(within seconds: Double = 120) -> Int32 {
        if !CLITests.waitFor(seconds, { !process.isRunning }) { process.terminate() }
        process.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
