/// The flup launcher every pool runs: one instance per process, configured by the pool's
/// pool.json. It fixes what flup 1.0.3 gets wrong on Python 3 (see the field notes):
/// a live unix socket is never stolen and a stale one is removed; the socket gets mode 0660 and
/// the middle server's group; prefork stops promptly and gracefully on SIGTERM (idle children at
/// once, busy ones after their request) and grows past max_spare; SIGUSR1 is ignored.
enum LauncherScript {
    /// `Python/launcher.py`, embedded in the binary.
    static let source = String(decoding: PackageResources.launcher_py, as: UTF8.self)
}
