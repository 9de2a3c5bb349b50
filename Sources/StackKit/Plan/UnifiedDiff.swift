/// A unified diff of two texts, in `diff -u`'s format (three lines of context), for `plan`.
/// Pure: the longest common subsequence of the lines between the common head and tail.
public enum UnifiedDiff {
    enum Op: Equatable { case same, removed, added }

    /// Past this many line pairs (a table of ints each), the changed middle is shown as all
    /// removed then all added instead of being matched line by line.
    static let matchLimit = 4_000_000

    public static func diff(old: String, new: String, from: String, to: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        var positions: [(op: Op, i: Int, j: Int)] = []
        var i = 0, j = 0
        for op in script(a, b) {
            positions.append((op, i, j))
            switch op {
            case .same: i += 1; j += 1
            case .removed: i += 1
            case .added: j += 1
            }
        }
        let changed = positions.indices.filter { positions[$0].op != .same }
        guard !changed.isEmpty else { return "" }
        var out = "--- \(from)\n+++ \(to)\n"
        var k = 0
        while k < changed.count {
            // Changes closer than twice the context share a hunk, as diff -u does.
            var end = k
            while end + 1 < changed.count && changed[end + 1] - changed[end] <= 2 * context + 1 { end += 1 }
            let slice = positions[max(0, changed[k] - context)...min(positions.count - 1, changed[end] + context)]
            let oldCount = slice.filter { $0.op != .added }.count, newCount = slice.filter { $0.op != .removed }.count
            // An empty side names the line before it (0 at the top).
            let oldStart = slice.first!.i + (oldCount > 0 ? 1 : 0), newStart = slice.first!.j + (newCount > 0 ? 1 : 0)
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for p in slice {
                switch p.op {
                case .same: out += " " + shown(a[p.i])
                case .removed: out += "-" + shown(a[p.i])
                case .added: out += "+" + shown(b[p.j])
                }
            }
            k = end + 1
        }
        return out
    }

    static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }

    /// A last line without its newline carries this mark, so that it differs from the same
    /// line with one; it is shown as diff shows it.
    static let noNewline = "\u{0}"

    static func lines(_ text: String) -> [String] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() } else { parts[parts.count - 1] += noNewline }
        return parts
    }

    static func shown(_ line: String) -> String {
        line.hasSuffix(noNewline) ? String(line.dropLast()) + "\n\\ No newline at end of file\n" : line + "\n"
    }

    /// The edit script turning `a` into `b`: removals before additions within each change.
    static func script(_ a: [String], _ b: [String]) -> [Op] {
        var head = 0
        while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let x = Array(a[head..<(a.count - tail)]), y = Array(b[head..<(b.count - tail)])
        var middle: [Op] = []
        if x.count * y.count > matchLimit || x.isEmpty || y.isEmpty {
            middle = Array(repeating: .removed, count: x.count) + Array(repeating: .added, count: y.count)
        } else {
            // lcs[i][j]: the longest common subsequence of x[i...] and y[j...].
            let w = y.count + 1
            var lcs = [Int32](repeating: 0, count: (x.count + 1) * w)
            for i in stride(from: x.count - 1, through: 0, by: -1) {
                for j in stride(from: y.count - 1, through: 0, by: -1) {
                    lcs[i * w + j] = x[i] == y[j] ? lcs[(i + 1) * w + j + 1] + 1 : max(lcs[(i + 1) * w + j], lcs[i * w + j + 1])
                }
            }
            var i = 0, j = 0
            while i < x.count || j < y.count {
                if i < x.count && j < y.count && x[i] == y[j] {
                    middle.append(.same); i += 1; j += 1
                } else if j < y.count && (i == x.count || lcs[i * w + j + 1] > lcs[(i + 1) * w + j]) {
                    middle.append(.added); j += 1
                } else {
                    middle.append(.removed); i += 1
                }
            }
        }
        return Array(repeating: .same, count: head) + middle + Array(repeating: .same, count: tail)
    }
}
