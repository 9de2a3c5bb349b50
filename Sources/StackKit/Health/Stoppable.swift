import Synchronization

/// Waits for work that cannot be cancelled (a command in flight over ssh: swift-subprocess
/// 1.0.2 does not survive a cancelled run) unless asked to stop: `stop` is asked every 100 ms,
/// and once it says so the wait ends at once, with nil. The work itself runs on to its own end
/// (its time limit), its answer dropped.
enum Stoppable {
    static func value<T: Sendable, E: Error, C: Clock>(of work: @escaping @Sendable () async throws(E) -> T, clock: C,
                                                       stop: (@Sendable () -> Bool)?) async throws(E) -> T? where C.Duration == Duration {
        guard let stop else { return try await work() }
        let result: Result<T, E>? = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, E>?, Never>) in
            let done = Mutex(false)
            let finish = { @Sendable (value: Result<T, E>?) in
                if done.withLock({ d in defer { d = true }; return !d }) { continuation.resume(returning: value) }
            }
            Task {
                do throws(E) { finish(.success(try await work())) } catch { finish(.failure(error)) }
            }
            Task {
                while !done.withLock({ $0 }) {
                    if stop() { finish(nil); return }
                    try? await clock.sleep(for: .milliseconds(100))
                    await Task.yield()
                }
            }
        }
        return try result?.get()
    }
}
