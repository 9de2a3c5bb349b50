/// The checks a staged file must pass on its host before anything goes live: each server's own
/// check, the key against its certificate, and the open files a middle server will need.
extension Scripts {
    /// The middle server needs `files` descriptors (2 per connection): systemd raises its limit
    /// with LimitNOFILE up to the kernel's `fs.nr_open`; under supervisord the server raises its
    /// own, which works only as far as this root session can.
    static func openFiles(_ files: Int, _ label: String, _ manager: ProcessManager) -> ShellCode {
        let need = String(files), why = "max_connections needs \(files) open files"
        switch manager {
        case .systemd:
            return "check \(label + " open files") '' sh -c \("[ " + need + " -le \"$(cat /proc/sys/fs/nr_open)\" ] || echo \"" + why + "; this host allows $(cat /proc/sys/fs/nr_open) (fs.nr_open)\"")\n"
        case .supervisord:
            return "check \(label + " open files") '' sh -c \("ulimit -n " + need + " 2>/dev/null || echo \"" + why + "; this host allows $(ulimit -Hn) (ulimit -Hn)\"")\n"
        }
    }

    /// `check LABEL WANT CMD...`: valid when CMD exits 0 and prints exactly WANT; sets `invalid`.
    static let checkFunction: ShellCode = """
    invalid=0
    check() {
      label=$1; want=$2; shift 2
      out=$("$@" 2>&1); rc=$?
      if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then \(ShellCode.emit(.valid, #""$label""#))
      else \(ShellCode.emit(.invalid, #""$label""#)); show "$out"; invalid=1; fi
    }

    """

    /// The server's own check of one staged file, as the renderer asked for it. `staged`: every
    /// file this run stages on the host (a unit is checked against the programs it will run).
    static func validation(_ f: PlannedFile, _ plan: HostPlan, staged others: [PlannedFile] = []) -> ShellCode {
        let manager = plan.host.processManager
        let staged = f.stagedPath, label = f.path
        switch f.file.check {
        case .none:
            return ""
        case .apache(let binary, let serverRoot, let swapped) where !swapped.isEmpty:
            // A copy of the config that names the staged certificate files where they are staged.
            let copy = staged + ".check"
            let pairs = swapped.flatMap { [$0, PlannedFile.staged($0)] }
            return """
            \([plan.platform.python, "-c", swapStaged, staged, copy] + pairs)
            check \(label) 'Syntax OK' \([binary, "-t", "-f", copy, "-d", serverRoot])
            rm -f \(copy)

            """
        case .apache(let binary, let serverRoot, _):
            return "check \(label) 'Syntax OK' \([binary, "-t", "-f", staged, "-d", serverRoot])\n"
        case .tlsPair(let python, let certificate, let key):
            return "check \(label + " (its key is the certificate's)") '' \([python, "-c", tlsPair, certificate, PlannedFile.staged(certificate), key, PlannedFile.staged(key)])\n"
        case .lighttpd(let binary, let files):
            // lighttpd -tt exits 0 on unknown keys: any output at all is a failure.
            return openFiles(files, label, manager) + "check \(label) '' \([binary, "-tt", "-f", staged])\n"
        case .nginx(let binary, let prefix, let files):
            return openFiles(files, label, manager) + "check \(label) '' \([binary, "-t", "-q", "-p", prefix, "-c", staged])\n"
        case .supervisord(let python, let launcher):
            // A launcher staged beside it is parsed by the same run (one Python start, not two),
            // and passes with it.
            guard let launcherFile = others.first(where: { $0.path == launcher }) else {
                return "check \(label) '' \([python, "-c", supervisorCheck, f.stagedPath])\n"
            }
            return "check \(label) '' \([python, "-c", supervisorCheck, f.stagedPath, launcherFile.stagedPath])\n"
                + "[ $rc -eq 0 ] && [ -z \"$out\" ] && \(ShellCode.emit(.valid, "\(launcher)"))\n"
        case .python where others.contains(where: { if case .supervisord(_, f.path) = $0.file.check { true } else { false } }):
            return "" // parsed by its config's check

        case .python(let interpreter, let imports):
            let py = "import " + (["sys", "ast"] + imports).joined(separator: ", ") + "; ast.parse(open(sys.argv[1]).read())"
            return "check \(label) '' \([interpreter, "-c", py, staged])\n"
        case .systemdUnit(let unit):
            // systemd checks that the programs a unit runs exist: one staged in this run (the
            // stack's supervisord) is named where it is staged in the copy checked.
            let programs = others.filter { $0.path != f.path && $0.file.mode & 0o111 != 0 }.flatMap { [$0.path, $0.stagedPath] }
            let copy: ShellCode = programs.isEmpty ? "cp \(staged) \"$vdir\"/\(unit)"
                : "\([plan.platform.python, "-c", swapStaged, staged]) \"$vdir\"/\(unit) \(programs)"
            return """
            vdir=$(mktemp -d) && \(copy)
            check \(label) '' systemd-analyze verify --man=no "$vdir"/\(unit)
            rm -rf "$vdir"

            """
        }
    }

    /// supervisord's own reading of a config (`ServerOptions.realize`), with the stand-in for
    /// pkg_resources that stackctl's supervisord starts with.
    static let supervisorCheck = SupervisordRenderer.standIn + """
    def check():
        for path in sys.argv[2:]:
            compile(open(path).read(), path, "exec")
        from supervisor.options import ServerOptions
        ServerOptions().realize(args=["-c", sys.argv[1]])
    supervise(check)

    """

    /// `SOURCE COPY [FINAL STAGED]...`: COPY is SOURCE with each FINAL path replaced by its
    /// STAGED copy, where one exists; a whole path only (`…/supervisord` is not a part of
    /// `…/supervisord.conf`).
    static let swapStaged = """
    import os, re, sys
    text = open(sys.argv[1]).read()
    for final, staged in zip(sys.argv[3::2], sys.argv[4::2]):
        if os.path.exists(staged):
            text = re.sub(re.escape(final) + r"(?![\\w.-])", lambda m: staged, text)
    open(sys.argv[2], "w").write(text)
    """

    /// `CERT CERT_STAGED KEY KEY_STAGED`: silent when the chain and key load together.
    static let tlsPair = """
    import os, ssl, sys
    cert = sys.argv[2] if os.path.exists(sys.argv[2]) else sys.argv[1]
    key = sys.argv[4] if os.path.exists(sys.argv[4]) else sys.argv[3]
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
    except ssl.SSLError as e:
        print("the key %s does not match the certificate %s" % (sys.argv[3], sys.argv[1]) if "KEY_VALUES_MISMATCH" in str(e) else "%s: %s" % (sys.argv[1], e))
    except OSError as e:
        print(e)
    """
}
