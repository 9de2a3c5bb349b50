import Foundation

/// The operator's own programs around a run, in `.stackctl/hooks/` beside the manifest, named
/// by when they run. A missing or non-executable file is no hook.
public enum Hook: String, Sendable, CaseIterable {
    case preConnect = "pre-connect", preDeploy = "pre-deploy", postDeploy = "post-deploy", onFailure = "on-failure"
    case preRollout = "pre-rollout", postRollout = "post-rollout"

    /// A hook before anything changes: its failure stops the run.
    public var stops: Bool { self == .preConnect || self == .preDeploy || self == .preRollout }

    /// The hooks before and after a command's work: `up`'s deploy hooks, `rollout`'s and
    /// `rollback`'s rollout hooks; other commands have only pre-connect and on-failure.
    public static func around(_ command: String) -> (before: Hook?, after: Hook?) {
        switch command.split(separator: " ").first {
        case "up": (.preDeploy, .postDeploy)
        case "rollout", "rollback": (.preRollout, .postRollout)
        default: (nil, nil)
        }
    }
}

/// What a hook is told, as environment variables: `STACKCTL_COMMAND`, `STACKCTL_DESTINATION`,
/// `STACKCTL_STACK`, `STACKCTL_RELEASES` (`pool=id` pairs), `STACKCTL_HOSTS`,
/// `STACKCTL_OPERATOR`, `STACKCTL_OUTCOME` (after the run: `ok` or why it failed, by exit
/// status name) and `STACKCTL_SECONDS`.
public struct HookContext: Sendable, Equatable {
    public var command: String
    public var destination: String?
    public var stack: String
    public var hosts: [String]
    public var operatorName: String
    public var releases: [String: String] = [:]
    public var outcome: String?
    public var seconds: Double?

    public init(command: String, destination: String? = nil, stack: String, hosts: [String], operatorName: String) {
        (self.command, self.destination, self.stack, self.hosts, self.operatorName) = (command, destination, stack, hosts, operatorName)
    }

    /// The variables, added to stackctl's own environment.
    public var variables: [String: String] {
        var v = [
            "STACKCTL_COMMAND": command, "STACKCTL_DESTINATION": destination ?? "", "STACKCTL_STACK": stack,
            "STACKCTL_HOSTS": hosts.joined(separator: " "), "STACKCTL_OPERATOR": operatorName,
            "STACKCTL_RELEASES": releases.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
        ]
        if let outcome { v["STACKCTL_OUTCOME"] = outcome }
        if let seconds { v["STACKCTL_SECONDS"] = String(format: "%.1f", seconds) }
        return v
    }
}

/// A hook's end: its exit status (nil when it outlived its time) and its output, secrets hidden.
public struct HookResult: Sendable, Equatable {
    public var hook: Hook
    public var status: Int32?
    public var output: String
    public var ok: Bool { status == 0 }

    /// `pre-deploy hook failed (exit 1)`, `... did not finish within 120 s`.
    public var summary: String {
        guard let status else { return "\(hook.rawValue) hook did not finish within \(Int(Hooks.timeout.components.seconds)) s and was ended" }
        return status == 0 ? "\(hook.rawValue) hook ran" : "\(hook.rawValue) hook failed (exit \(status))"
    }
}

/// Finds and runs the hooks beside a manifest.
public struct Hooks: Sendable {
    /// `.stackctl/hooks` in the manifest's directory.
    public let directory: String
    public let redactor: Redactor
    /// Runs one hook: its path, its environment; by default on this machine (`LocalProcess`).
    public var run: @Sendable (String, [String: String]) -> LocalProcess.Result = { path, environment in
        LocalProcess.run([path], environment: environment, timeout: Hooks.timeout)
    }

    /// A hook may take this long; then it is ended.
    public static let timeout: Duration = .seconds(120)

    public init(manifestFile: String, redactor: Redactor) {
        directory = URL(fileURLWithPath: manifestFile).deletingLastPathComponent().appendingPathComponent(".stackctl/hooks").standardizedFileURL.path
        self.redactor = redactor
    }

    /// The hook's file, when there is an executable one.
    public func path(_ hook: Hook) -> String? {
        let path = directory + "/" + hook.rawValue
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return path
    }

    /// Runs `hook` if it exists, with `context` in its environment; nil when there is none.
    public func fire(_ hook: Hook, _ context: HookContext) -> HookResult? {
        guard let path = path(hook) else { return nil }
        let environment = ProcessInfo.processInfo.environment.merging(context.variables) { $1 }
        let r = run(path, environment)
        let text = String(decoding: r.stdout + r.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return HookResult(hook: hook, status: r.status, output: redactor(text))
    }
}
