/// Runs `work` for each item with at most `limit` at once; each child returns its outcome and
/// the caller applies the policy. Outcomes come back in the items' order.
enum FanOut {
    static func map<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ work: @escaping @Sendable (T) async -> R) async -> [R] {
        await withTaskGroup(of: (Int, R).self) { group in
            var results = [R?](repeating: nil, count: items.count)
            var next = 0
            func launch() {
                guard next < items.count else { return }
                let index = next, item = items[index]
                next += 1
                group.addTask { (index, await work(item)) }
            }
            for _ in 0..<max(1, limit) { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                launch()
            }
            return results.map { $0! }
        }
    }
}
