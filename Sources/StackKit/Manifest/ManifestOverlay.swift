/// A destination's overlay laid over the manifest, as YAML nodes: mappings merge key by key,
/// lists and scalars replace. Every node keeps the position (and file) it was written at.
public enum ManifestOverlay {
    public struct Merged: Sendable {
        public var node: Node
        /// Overlay keys whose mapping met something else in the manifest (or the reverse):
        /// one replaced the other whole, which is seldom meant.
        public var conflicts: [Diagnostic]
    }

    /// `files` names the manifest and the overlay, for messages that point at both.
    public static func merge(_ base: Node, _ overlay: Node, files: [String]) -> Merged {
        var conflicts: [Diagnostic] = []
        let node = merge(base, overlay, path: "", files: files, conflicts: &conflicts)
        return Merged(node: node, conflicts: conflicts)
    }

    static func merge(_ base: Node, _ over: Node, path: String, files: [String], conflicts: inout [Diagnostic]) -> Node {
        guard case .mapping(let basePairs, let mark) = base, case .mapping(let overPairs, _) = over else {
            if case .mapping = base, !over.isNull {
                conflicts.append(Diagnostic(mark: over.mark, path: path, message: "\(over.kindName) replaces the mapping at \(base.mark.located(in: files))",
                                            hint: "an overlay's mapping merges into the manifest's key by key; give a mapping"))
            } else if case .mapping = over, !base.isNull {
                conflicts.append(Diagnostic(mark: over.mark, path: path, message: "a mapping replaces \(base.kindName) at \(base.mark.located(in: files))",
                                            hint: "give \(base.kindName) as the manifest does"))
            }
            return over
        }
        var pairs = basePairs
        for (key, value) in overPairs {
            let name = key.scalarText ?? ""
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            if let i = pairs.firstIndex(where: { $0.key.scalarText == name }) {
                if case .mapping = pairs[i].value, case .mapping = value {
                    pairs[i].value = merge(pairs[i].value, value, path: keyPath, files: files, conflicts: &conflicts)
                } else {
                    _ = merge(pairs[i].value, value, path: keyPath, files: files, conflicts: &conflicts)
                    pairs[i] = (key, value)
                }
            } else {
                pairs.append((key, value))
            }
        }
        return .mapping(pairs, mark)
    }

    /// The top-level scalar `key` of a mapping, if it is one.
    static func topScalar(_ node: Node, _ key: String) -> Node? {
        guard case .mapping(let pairs, _) = node else { return nil }
        return pairs.first { $0.key.scalarText == key }?.value
    }

    /// The node with its top-level `key` set to `value` (kept in place, or added last).
    static func setting(_ node: Node, _ key: String, to value: Node) -> Node {
        guard case .mapping(var pairs, let mark) = node else { return node }
        if let i = pairs.firstIndex(where: { $0.key.scalarText == key }) {
            pairs[i].value = value
        } else {
            pairs.append((.scalar(key, value.mark, quoted: false), value))
        }
        return .mapping(pairs, mark)
    }
}
