/// How a host checks a staged file with its own server before it goes live. The renderer that
/// writes a file knows which check it needs; nothing works it out again from the path.
public enum FileCheck: Sendable, Equatable {
    /// Data with no checker of its own (pool.json).
    case none
    /// `apache2 -t`, which must say `Syntax OK`. mod_ssl reads the certificate files named in
    /// the config while checking: those in `staged` are checked as their staged copies.
    case apache(binary: String, serverRoot: String, staged: [String] = [])
    /// The certificate chain and the key load together (the key is the certificate's), each
    /// as its staged copy when one is staged, with `python`'s ssl module.
    case tlsPair(python: String, certificate: String, key: String)
    /// `lighttpd -tt`: it exits 0 on unknown keys, so any output at all fails the check. And
    /// the host can give the server `openFiles` descriptors (its max-fds).
    case lighttpd(binary: String, openFiles: Int)
    /// `nginx -t -q` with the instance's prefix; and the host can give it `openFiles`
    /// descriptors (its worker_rlimit_nofile: nginx -t does not check that).
    case nginx(binary: String, prefix: String, openFiles: Int)
    /// supervisord's own parser, on the interpreter supervisord runs on (`python`, the one its
    /// `launcher` names); a staged launcher is parsed in the same run.
    case supervisord(python: String, launcher: String)
    /// The launcher parses; `imports` must import on `interpreter` (flup, for a fixed pool).
    case python(interpreter: String, imports: [String])
    /// `systemd-analyze verify`, under `unit` (a template is verified as its instance 0).
    case systemdUnit(unit: String)

    public var isSupervisord: Bool {
        if case .supervisord = self { true } else { false }
    }

    /// A unit file: committing it needs `systemctl daemon-reload`.
    public var isSystemdUnit: Bool {
        if case .systemdUnit = self { true } else { false }
    }
}
