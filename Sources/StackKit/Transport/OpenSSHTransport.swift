import Foundation

/// How to reach hosts with the system OpenSSH client. The user's ~/.ssh/config (or `configFile`)
/// decides everything not named here; host keys are always checked.
public struct SSHOptions: Sendable, Equatable {
    public var configFile: String?
    public var connectTimeout: Int = 10
    /// Directory for ControlMaster sockets: one master connection per host.
    public var controlDirectory: String
    /// Seconds an idle master connection stays open after the run for the next one (a no-op
    /// then opens no connection at all); 0: each run opens its own and closes them at its end.
    public var persist: Int = 0
    public var ssh = "ssh"

    public init(configFile: String? = nil, connectTimeout: Int = 10, controlDirectory: String, persist: Int = 0) {
        self.configFile = configFile
        self.connectTimeout = connectTimeout
        self.controlDirectory = controlDirectory
        self.persist = persist
    }

    /// A master whose host went silent gives up after 3 unanswered keepalives, about
    /// `connectTimeout` seconds: a command on it then fails as fast as a new connection would.
    var aliveInterval: Int { max(1, connectTimeout / 3) }

    /// ssh's options, as an argv prefix (decisions are data: tested with ==).
    func baseArgv(for host: Host) -> [String] {
        var argv = [ssh]
        if let configFile { argv += ["-F", configFile] }
        argv += [
            "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=\(connectTimeout)",
            "-o", "ControlMaster=auto",
            // Per connect timeout: a master's keepalives are set when it opens, so a run only
            // shares one that gives up on a silent host as soon as it would itself.
            "-o", "ControlPath=\(controlDirectory)/%C-\(connectTimeout)",
            "-o", "ControlPersist=\(persist > 0 ? persist : 60)",
            "-o", "ServerAliveInterval=\(aliveInterval)",
            "-o", "ServerAliveCountMax=3",
        ]
        if let user = host.sshUser { argv += ["-l", user] }
        if let port = host.sshPort { argv += ["-p", String(port)] }
        return argv
    }

    /// The full ssh argv for one remote command; the remote line is quoted in ShellQuote only.
    /// `--` comes before the destination: ssh then reads neither it nor anything after it as an
    /// option (ssh otherwise accepts options after the destination too).
    public func argv(for host: Host, command: [String]) -> [String] {
        baseArgv(for: host) + ["--", host.destination, ShellQuote.line(command)]
    }

    /// For a command on this terminal: `-tt` gives it a pseudo-terminal (a shell, a REPL),
    /// `-T` none (its output is data). LogLevel=ERROR keeps ssh's "Shared connection to ...
    /// closed." off the user's terminal; errors (a changed host key) still show.
    public func attachedArgv(for host: Host, command: [String], tty: Bool) -> [String] {
        baseArgv(for: host) + ["-o", "LogLevel=ERROR", tty ? "-tt" : "-T", "--", host.destination, ShellQuote.line(command)]
    }

    public func exitArgv(for host: Host) -> [String] {
        baseArgv(for: host) + ["-O", "exit", "--", host.destination]
    }
}

/// Runs commands on a host through `ssh`, multiplexed over one master connection.
public struct OpenSSHTransport: Transport {
    public let host: Host
    public let options: SSHOptions
    public var hostName: String { host.name }

    public init(host: Host, options: SSHOptions) {
        self.host = host
        self.options = options
    }

    public func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput {
        let argv = options.argv(for: host, command: command.argv)
        let output: CommandOutput
        do {
            output = try await ProcessRunner.run(argv, stdin: command.stdin, timeout: command.timeout)
        } catch ProcessRunner.Failure.timedOut {
            throw .timedOut(host: host.name, command: ShellQuote.line(command.argv), after: command.timeout)
        } catch {
            throw .cannotRun(host: host.name, command: ShellQuote.line(argv), message: "\(error)")
        }
        // 255 is ssh's own failure: it could not connect or authenticate.
        if output.status == 255 {
            let message = output.stderrText.split(whereSeparator: \.isNewline).last.map(String.init) ?? "ssh exited with 255"
            // Named by the manifest's name (the error's host) and by what ssh was handed.
            throw .unreachable(host: host.name, message: message.trimmingCharacters(in: .whitespaces) + " (ssh \(host.destination))")
        }
        return output
    }

    public func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32 {
        let argv = options.argv(for: host, command: command.argv)
        let status: Int32
        do {
            status = try await LineStream.run(argv, input: command.stdin, line: line)
        } catch {
            throw .cannotRun(host: host.name, command: ShellQuote.line(argv), message: "\(error)")
        }
        if status == 255 { throw .unreachable(host: host.name, message: "ssh exited with 255 (ssh \(host.destination))") }
        return status
    }

    public func attach(_ command: RemoteCommand, tty: Bool) async throws(TransportError) -> Int32 {
        let argv = options.attachedArgv(for: host, command: command.argv, tty: tty)
        let status: Int32
        do {
            status = try await AttachedProcess.run(argv)
        } catch {
            throw .cannotRun(host: host.name, command: ShellQuote.line(argv), message: "\(error)")
        }
        if status == 255 { throw .unreachable(host: host.name, message: "ssh exited with 255 (ssh \(host.destination))") }
        return status
    }

    /// Closes the master, unless it is kept for the next run.
    public func shutdown() async {
        guard options.persist == 0 else { return }
        _ = try? await ProcessRunner.run(options.exitArgv(for: host), stdin: [], timeout: .seconds(5))
    }
}

/// A private directory for ControlMaster sockets, removed when the run ends.
public final class ControlDirectory: Sendable {
    public let path: String

    public init() throws {
        // Short: a unix socket path must fit in 107 bytes.
        var template = Array("/tmp/stackctl-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TransportError.cannotRun(host: "localhost", command: "mkdtemp",
            message: String(cString: strerror(errno))) }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o700)
    }

    /// The user's own directory that keeps master connections between runs:
    /// `$XDG_RUNTIME_DIR/stackctl-ssh`, else `/tmp/stackctl-ssh-UID`. Nil (use a private one)
    /// unless it is a directory of this user's that no one else can enter, not a link.
    public static func shared(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let uid = getuid()
        let base = environment["XDG_RUNTIME_DIR"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        let path = base.map { $0 + "/stackctl-ssh" } ?? "/tmp/stackctl-ssh-\(uid)"
        // A socket path (with %C's 40 characters) must fit in 107 bytes.
        guard path.utf8.count <= 60 else { return nil }
        _ = mkdir(path, 0o700)
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == uid, st.st_mode & 0o077 == 0 else { return nil }
        return path
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
