/// What a host has now, read in one round trip by the inspect script.
public struct HostState: Sendable, Equatable {
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
    /// The release each sourced pool's `current` link points at, and the one before it.
    public var releases: [String: String] = [:]
    public var previousReleases: [String: String] = [:]

    public init() {}

    /// Parses the inspect script's lines: `@file SHA OWNERSHIP PATH`, `@dir OWNERSHIP PATH`,
    /// `@manager up|down`, `@running NAME`.
    public static func parse(_ text: String) -> HostState {
        var state = HostState()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            switch parts.first {
            case "@file" where parts.count == 4: state.files[parts[3]] = FileState(sha256: parts[1], ownership: parts[2])
            case "@dir" where parts.count == 3: state.directories[parts[2]] = parts[1]
            case "@manager" where parts.count == 2: state.managerRunning = parts[1] == "up"
            case "@running" where parts.count == 2: state.running.insert(parts[1])
            case "@release" where parts.count == 3: state.releases[parts[1]] = parts[2]
            case "@previous" where parts.count == 3: state.previousReleases[parts[1]] = parts[2]
            default: continue
            }
        }
        return state
    }
}

/// What differs between the plan and the host.
public struct HostChanges: Sendable, Equatable {
    public var files: [PlannedFile]
    public var directories: [DirectorySpec]

    public init(plan: HostPlan, state: HostState) {
        files = plan.files.filter { f in
            guard let now = state.files[f.path] else { return true }
            return now.sha256 != f.sha256 || now.ownership != f.ownership
        }
        directories = plan.directories.filter { d in
            state.directories[d.path] != "\(String(d.mode, radix: 8)):\(d.owner):\(d.group)"
        }
    }

    public init(files: [PlannedFile], directories: [DirectorySpec] = []) {
        self.files = files
        self.directories = directories
    }

    public var isEmpty: Bool { files.isEmpty && directories.isEmpty }
}
