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
    /// Runs `from_command` secrets; nil (text parsed without a file) resolves none.
    var secretCommands: (any SecretCommandRunner)? = nil
    let secretCommandCache = SecretCommandCache()

    func decode(_ root: Node) -> Manifest? {
        r.marks[""] = root.mark
        guard case .mapping = root else {
            r.fail(root.mark, "", "a manifest must be a mapping with the keys \(ManifestShape.root.keys.joined(separator: ", ")), found \(root.kindName)")
            return nil
        }
        guard let top = r.object(root, "", ManifestShape.root) else { return nil }
        let name = top.string("name") ?? "stack"
        let base = top.string("base") ?? "/srv/stackctl/\(name)"
        let defaultManager = top.choice("process_manager", ProcessManager.self) ?? .systemd
        _ = top.bool("require_destination") // the loader acts on it; here it is only checked
        let hosts = top["hosts"].map { decodeHosts($0, defaultManager: defaultManager) } ?? []
        let (front, frontFields) = top["front"].map(decodeFront) ?? (Front(), nil)
        let trimmedBase = base.count > 1 && base.hasSuffix("/") ? String(base.dropLast()) : base
        var middle = decodeRouter(top, frontFields, base: trimmedBase)
        let pools = top["pools"].map { decodePools($0, stack: name, base: trimmedBase) } ?? []
        resolveDataAliases(&middle, pools)
        checkShipped(middle, pools)
        var manifest = Manifest(name: name, base: trimmedBase,
                                hosts: hosts, front: front, middle: middle, pools: pools)
        manifest.marks = r.marks
        manifest.listIndices = r.listIndices
        return manifest
    }

    /// The middle tier; or, when the manifest has none and its front serves static files and
    /// routes, those (`byFront`). The two ways exclude each other.
    func decodeRouter(_ top: ShapedFields, _ front: ShapedFields?, base: String) -> Middle {
        let served = ManifestShape.routerKeys.filter { front?[$0] != nil }
        if let node = top["middle"] {
            for key in served {
                r.fail(front![key]!.mark, "front.\(key)", "with a middle tier, '\(key)' belongs under middle",
                       hint: "move it to middle.\(key), or leave out middle for Apache to serve the stack itself")
            }
            return decodeMiddle(node, base: base)
        }
        var middle = Middle()
        guard let front, !served.isEmpty else {
            r.require(top.nodes, "middle", in: "", at: top.mark, hint: "or give front.static and front.routes for Apache to serve without a middle tier")
            return middle
        }
        middle.byFront = true
        r.require(front.nodes, "routes", in: "front", at: front.mark, hint: "without a middle tier the front passes its routes to the pools")
        decodeServing(front, section: "front", base: base, into: &middle)
        return middle
    }

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
            guard let fields = r.object(value, path, ManifestShape.host) else {
                if value.isNull { r.fail(value.mark, path, "host '\(name)' needs an address or 'local: true'") }
                continue
            }
            let local = fields.bool("local") ?? false
            let address = fields.string("address")
            if address == nil && !local && fields["address"] == nil {
                r.fail(value.mark, path, "host '\(name)' needs an address or 'local: true'")
            }
            let destination = fields.string("ssh")
            if local, let ssh = fields["ssh"] { r.fail(ssh.mark, "\(path).ssh", "a local host is reached without ssh", hint: "leave out 'ssh' or 'local'") }
            hosts.append(Host(
                name: name,
                address: address ?? "127.0.0.1",
                sshDestination: destination,
                sshUser: fields.string("user"),
                sshPort: fields.int("port"),
                local: local,
                processManager: fields.choice("process_manager", ProcessManager.self) ?? defaultManager))
        }
        return hosts
    }

    func decodeHealth(_ node: Node?, _ path: String, defaultPath: String) -> HealthCheck {
        var check = HealthCheck(path: defaultPath)
        guard let node, let fields = r.object(node, path, ManifestShape.health(path)) else { return check }
        check.path = fields.string("path") ?? check.path
        check.timeout = fields.duration("timeout") ?? check.timeout
        check.slow = slowThreshold(fields["slow"], fields.path("slow"), timeout: check.timeout)
        check.host = fields.string("host")
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
