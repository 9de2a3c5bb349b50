/// What a host has now, read in one round trip by the inspect script.
public struct HostState: ScriptReply, Equatable {
    public struct FileState: Sendable, Equatable {
        public var sha256: String
        /// `mode:owner:group`, mode in octal.
        public var ownership: String
    }

    public var files: [String: FileState] = [:]
    public var directories: [String: String] = [:]
    public var managerRunning = false
    /// Programs (supervisord names or systemd units) that are running.
    public var running: Set<String> = []
    /// PID 1 is systemd: a supervisord stack gets its boot units there.
    public var bootsSystemd = false
    /// Boot units that are enabled.
    public var enabled: Set<String> = []
    /// The release each sourced pool's `current` link points at, and the one before it.
    public var releases: [String: String] = [:]
    public var previousReleases: [String: String] = [:]
    /// Per pool, the requirements hashes of the virtualenvs ready on the host.
    public var venvs: [String: Set<String>] = [:]
    /// Directories the middle serves or must not serve, as this host resolves them (symlinks followed).
    public var resolved: [String: String] = [:]
    /// What the host has of what its tiers need (`up`'s first step, judged by `HostCheck`).
    public var requirements = CheckReply(ScriptOutput(""))
    /// The stack's processes, on a supervisord host where a program is not running, and the
    /// pid supervisord's pid file names: what `Strays` judges.
    public var stackProcesses: [Strays.Entry] = []
    public var managerPid: Int?
    /// Servers still waiting for the restart a reload left them (`PendingRestart`).
    public var pendingRestarts: [PendingRestart] = []

    public init() {}

    /// Reads the inspect script's markers: `@file`, `@dir`, `@manager`, `@running`, `@init`, `@enabled`, `@release`, `@previous`, `@resolved`.
    public init(_ output: ScriptOutput) {
        requirements = CheckReply(output)
        pendingRestarts = PendingRestart.all(output)
        for m in output.markers {
            switch m.tag {
            case .file: files[m.fields[2]] = FileState(sha256: m.fields[0], ownership: m.fields[1])
            case .dir: directories[m.fields[1]] = m.fields[0]
            case .manager: managerRunning = m.fields[0] == "up"
            case .running: running.insert(m.fields[0])
            case .initSystem: bootsSystemd = m.fields[0] == "systemd"
            case .enabled: enabled.insert(m.fields[0])
            case .release: releases[m.fields[0]] = m.fields[1]
            case .previous: previousReleases[m.fields[0]] = m.fields[1]
            case .venvs: venvs[m.fields[0], default: []].insert(m.fields[1])
            case .resolved: resolved[m.fields[0]] = m.fields[1]
            case .ps:
                guard let pid = Int(m.fields[0]), let parent = Int(m.fields[1]) else { continue }
                stackProcesses.append(Strays.Entry(pid: pid, parent: parent, command: m.fields[2]))
            case .svpid: managerPid = Int(m.fields[0])
            default: continue
            }
        }
    }

    public static func parse(_ text: String) -> HostState { HostState(ScriptOutput(text)) }
}

/// What differs between the plan and the host.
public struct HostChanges: Sendable, Equatable {
    public var files: [PlannedFile]
    public var directories: [DirectorySpec]

    public init(plan: HostPlan, state: HostState) {
        files = plan.files.filter { f in
            if f.file.needsSystemdInit && !state.bootsSystemd { return false }
            guard let now = state.files[f.path] else { return true }
            return now.sha256 != f.sha256 || now.ownership != f.ownership
        }
        directories = plan.directories.filter { d in
            state.directories[d.path] != d.ownership
        }
    }

    public init(files: [PlannedFile], directories: [DirectorySpec] = []) {
        self.files = files
        self.directories = directories
    }

    public var isEmpty: Bool { files.isEmpty && directories.isEmpty }
}
