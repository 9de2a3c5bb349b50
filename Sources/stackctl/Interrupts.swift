import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM during a run: the first asks the engine to stop at its next safe point
/// (it cleans up, lets the lock go, and exits 130 or 143); a second one exits at once.
/// ssh children run under `timeout` in their own process group, so Ctrl-C reaches only stackctl.
final class Interrupts: Sendable {
    private let received = Mutex<Int32?>(nil)
    private nonisolated(unsafe) var sources: [DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.handle(sig) }
            source.resume()
            sources.append(source)
        }
    }

    private func handle(_ sig: Int32) {
        let first = received.withLock { value -> Bool in
            guard value == nil else { return false }
            value = sig
            return true
        }
        if first {
            printError("\n\(sig == SIGTERM ? "SIGTERM" : "SIGINT"): stopping at the next safe point (again to stop at once; the next run takes over the lock)")
        } else {
            printError("stopping now")
            exit(128 + sig)
        }
    }

    /// The first signal received, if any.
    var first: Int32? { received.withLock { $0 } }
}
