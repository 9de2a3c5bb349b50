/// One file as it will exist on a host: absolute path, exact bytes, mode; and, from the
/// renderer that wrote it, the tier it belongs to and the check it must pass on the host.
public struct RenderedFile: Sendable, Equatable {
    public var path: String
    public var contents: String
    public var mode: Int
    public var owner: String
    public var group: String
    public var role: FileRole
    public var check: FileCheck
    /// Installed only on a host that boots with systemd (a supervisord stack's boot units);
    /// elsewhere the file is neither written nor expected.
    public var needsSystemdInit = false
    /// A private key: its contents are never shown (plan's diff, render's copy).
    public var secret = false

    public init(path: String, contents: String, role: FileRole, check: FileCheck, mode: Int = 0o644, owner: String = "root", group: String = "root",
                needsSystemdInit: Bool = false) {
        self.needsSystemdInit = needsSystemdInit
        self.path = path
        self.contents = contents
        self.role = role
        self.check = check
        self.mode = mode
        self.owner = owner
        self.group = group
    }
}

/// A directory the stack needs on a host, with the account that must own it.
public struct DirectorySpec: Sendable, Equatable {
    public var path: String
    public var owner: String
    public var group: String
    public var mode: Int

    public init(path: String, owner: String = "root", group: String = "root", mode: Int = 0o755) {
        self.path = path
        self.owner = owner
        self.group = group
        self.mode = mode
    }

    /// `MODE:OWNER:GROUP`, as the inspect's `stat -c '%a:%U:%G'` prints it.
    public var ownership: String { "\(String(mode, radix: 8)):\(owner):\(group)" }
}

/// Everything one host needs.
public struct HostRender: Sendable, Equatable {
    public var host: Host
    public var files: [RenderedFile]
    public var directories: [DirectorySpec]

    public init(host: Host, files: [RenderedFile], directories: [DirectorySpec]) {
        self.host = host
        self.files = files
        self.directories = directories
    }
}

/// Where the servers live on the target hosts (Debian's layout by default).
public struct Platform: Sendable, Equatable {
    public var apache2 = "/usr/sbin/apache2"
    public var apacheModules = "/usr/lib/apache2/modules"
    public var lighttpd = "/usr/sbin/lighttpd"
    public var nginx = "/usr/sbin/nginx"
    public var supervisord = "/usr/bin/supervisord"
    public var supervisorctl = "/usr/bin/supervisorctl"
    /// The interpreter supervisord runs on; stackctl's supervisord client runs on it too (the
    /// standard library alone).
    public var supervisorPython = "/usr/bin/python3"
    /// The interpreter for the probe relay: the distribution's, by path, so no shim or
    /// PATH lookup of the remote login shell costs time on every probe.
    public var python = "/usr/bin/python3"

    public init() {}
}
