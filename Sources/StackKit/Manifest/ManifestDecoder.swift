import Foundation

/// Turns YAML nodes into a `Manifest`, reporting every problem with its key path and position.
/// Cross-section checks (ports, routes, host placement) live in `ManifestValidator`.
struct ManifestDecoder {
    let r = NodeReader()
    /// Relative `source` paths are taken from here: the manifest's own directory.
    var sourceBase = FileManager.default.currentDirectoryPath
    /// Whether a `source` directory must exist here (off for text parsed without a file).
    var checkSources = true
    /// Where `from_env` secrets are looked up: the operator's environment.
    var secretEnvironment: [String: String]? = nil
    /// Whether a secret that cannot be had is an error; otherwise its pool records it as
    /// unresolved (commands that never write pool.json: status, down, logs...).
    var requireSecrets = true

    static let topKeys = ["name", "base", "process_manager", "hosts", "front", "middle", "pools"]

    func decode(_ root: Node) -> Manifest? {
        r.marks[""] = root.mark
        guard case .mapping = root else {
            r.fail(root.mark, "", "a manifest must be a mapping with the keys \(Self.topKeys.joined(separator: ", ")), found \(root.kindName)")
            return nil
        }
        guard let top = r.mapping(root, "", known: Self.topKeys) else { return nil }
        for key in ["name", "hosts", "front", "middle", "pools"] {
            r.require(top, key, in: "", at: root.mark)
        }
        let name = r.string(top["name"], "name", rule: .name) ?? "stack"
        let base = r.string(top["base"], "base", rule: .path) ?? "/srv/stackctl/\(name)"
        let defaultManager = r.choice(top["process_manager"], "process_manager", ProcessManager.self) ?? .systemd
        let hosts = top["hosts"].map { decodeHosts($0, defaultManager: defaultManager) } ?? []
        let front = top["front"].map(decodeFront) ?? Front()
        let trimmedBase = base.count > 1 && base.hasSuffix("/") ? String(base.dropLast()) : base
        let middle = top["middle"].map { decodeMiddle($0, base: trimmedBase) } ?? Middle()
        let pools = top["pools"].map { decodePools($0, stack: name, base: trimmedBase) } ?? []
        var manifest = Manifest(name: name, base: trimmedBase,
                                hosts: hosts, front: front, middle: middle, pools: pools)
        manifest.marks = r.marks
        manifest.listIndices = r.listIndices
        return manifest
    }

    static let hostKeys = ["address", "ssh", "user", "port", "local", "process_manager"]

    func decodeHosts(_ node: Node, defaultManager: ProcessManager) -> [Host] {
        var hosts: [Host] = []
        let entries = r.entries(node, "hosts")
        if entries.isEmpty, case .mapping = node { r.fail(node.mark, "hosts", "define at least one host") }
        for (name, keyMark, value) in entries {
            let path = "hosts.\(name)"
            if let problem = ValueRule.name.problem(in: name) {
                r.fail(keyMark, path, problem.message, hint: problem.hint)
                continue
            }
            guard let fields = r.mapping(value, path, known: Self.hostKeys) else {
                if value.isNull { r.fail(value.mark, path, "host '\(name)' needs an address or 'local: true'") }
                continue
            }
            let local = r.bool(fields["local"], "\(path).local") ?? false
            let address = r.string(fields["address"], "\(path).address", rule: .address)
            if address == nil && !local && fields["address"] == nil {
                r.fail(value.mark, path, "host '\(name)' needs an address or 'local: true'")
            }
            let destination = r.string(fields["ssh"], "\(path).ssh", rule: .sshDestination)
            if local, let ssh = fields["ssh"] { r.fail(ssh.mark, "\(path).ssh", "a local host is reached without ssh", hint: "leave out 'ssh' or 'local'") }
            hosts.append(Host(
                name: name,
                address: address ?? "127.0.0.1",
                sshDestination: destination,
                sshUser: r.string(fields["user"], "\(path).user", rule: .account),
                sshPort: r.int(fields["port"], "\(path).port", in: 1...65535),
                local: local,
                processManager: r.choice(fields["process_manager"], "\(path).process_manager", ProcessManager.self) ?? defaultManager))
        }
        return hosts
    }

    static let healthKeys = ["path", "timeout", "slow"]

    func decodeHealth(_ node: Node?, _ path: String, defaultPath: String) -> HealthCheck {
        var check = HealthCheck(path: defaultPath)
        guard let node, let fields = r.mapping(node, path, known: Self.healthKeys) else { return check }
        check.path = r.string(fields["path"], "\(path).path", rule: .urlPath) ?? check.path
        check.timeout = r.duration(fields["timeout"], "\(path).timeout") ?? check.timeout
        check.slow = slowThreshold(fields["slow"], "\(path).slow", timeout: check.timeout)
        return check
    }

    /// `slow`: a duration under the timeout (an answer slower than the timeout is a failure).
    func slowThreshold(_ node: Node?, _ path: String, timeout: Double) -> Double {
        guard let node, let slow = r.duration(node, path) else { return min(1, timeout) }
        if slow >= timeout {
            r.fail(node.mark, path, "a slow threshold of \(Self.seconds(slow)) s must be under the health timeout (\(Self.seconds(timeout)) s)")
        }
        return slow
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    func hostList(_ node: Node?, _ path: String) -> [String] {
        guard let node else {
            return []
        }
        var kept: [String] = [], indices: [Int] = []
        for (name, mark, i) in r.strings(node, path, rule: .name) ?? [] {
            if kept.contains(name) {
                r.fail(mark, "\(path)[\(i)]", "host '\(name)' is listed twice")
            } else {
                kept.append(name)
                indices.append(i)
            }
        }
        // Later checks name an item by its place in the list as written, not in `kept`.
        r.listIndices[path] = indices
        return kept
    }
}
