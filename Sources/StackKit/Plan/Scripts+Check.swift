extension Scripts {
    /// `stackctl check` on a host: everything its tiers need, with versions.
    public static func check(_ plan: HostPlan) -> HostScript<CheckReply> {
        HostScript(.check, checkBody(plan, full: true) + "exit 0\n", timeout: .seconds(60))
    }

    /// The facts a check judges (`HostCheck`). `full: false` is `up`'s first step, inside its
    /// inspect script: shell tests only, no version runs, and the costlier checks (ports, flup's
    /// import) only for programs that are not running, so a no-op `up` pays almost nothing.
    /// `full: false` goes after `inspectBody`, and asks whether a program runs with its
    /// `InspectShell.running`.
    static func checkBody(_ plan: HostPlan, full: Bool) -> ShellCode {
        let t = plan.topology, p = plan.platform
        // One `id` for both (`uid=0(root) gid=...`): this runs on every host of every `up`.
        var s: ShellCode = "ids=$(id); uid=${ids#uid=}; uid=${uid%%(*}; user=${ids#*(}; user=${user%%)*}\n"
        s += ShellCode.emit(.user, #""$user""#, #""$uid""#) + "\n"
        s += """
        bin() { if [ -x "$1" ]; then \(ShellCode.emit(.bin, #""$1""#, #""$2""#)); else \(ShellCode.emit(.nobin, #""$1""#)); fi; }
        ver() { [ -x "$1" ] && "$@" 2>&1 | head -n 1; }

        """
        for (path, versionArgs, _) in HostCheck.binaries(plan) {
            s += full && !versionArgs.text.isEmpty ? "bin \(path) \"$(ver \(path) \(versionArgs))\"\n" : "bin \(path) ''\n"
        }
        // A systemd stack needs systemd as PID 1: systemctl may be installed where it is not.
        if plan.host.processManager == .systemd {
            let pid1: ShellCode = "\"$(cat /proc/1/comm 2>/dev/null || echo unknown)\""
            s += "if [ -d /run/systemd/system ]; then \(ShellCode.emit(.initSystem, "systemd")); else \(ShellCode.emit(.initSystem, pid1)); fi\n"
        }
        if plan.tiers.contains(.front) {
            for (_, file) in ApacheRenderer.modules(plan.topology.manifest) { s += "[ -f \(p.apacheModules + "/" + file) ] || \(ShellCode.emit(.nomod, "\(file)"))\n" }
            if full { s += acmeDirectoryCheck(plan) }
        }
        for pool in t.manifest.pools where pool.hosts.contains(plan.host.name) {
            let names = plan.programs.filter { $0.pool == pool.name }.map { ServiceControl.name($0, plan) }
            // flup's version from its dist-info's name: importlib.metadata costs more to import
            // than flup itself (it is asked where the workers are not up, so on a first up).
            let py = "import os, flup.server.fcgi; d = os.path.dirname(os.path.dirname(flup.__file__)); "
                + "v = [n[5:-10] for n in os.listdir(d) if n.startswith('flup-') and n.endswith('.dist-info')]; "
                + "print(v[0] if v else __import__('importlib.metadata').metadata.version('flup'))"
            // A virtualenv's site-packages holding flup's package beside its dist-info answers
            // without a Python run at all; anything else asks the interpreter (importing it).
            let fast: ShellCode = Self.virtualenv(of: pool.python).map { venv -> ShellCode in
                "v=; for d in \(venv)/lib/python3*/site-packages/flup-*.dist-info; do [ -f \"${d%/*}/flup/server/fcgi.py\" ] && "
                    + "v=${d##*/flup-} && v=${v%.dist-info}; done; if [ -n \"$v\" ]; then \(ShellCode.emit(.flup, "\(pool.name)", #""$v""#)); el"
            } ?? ""
            let probe: ShellCode = """
            \(fast)if v=$(\([pool.python, "-c", py]) 2>&1); then \(ShellCode.emit(.flup, "\(pool.name)", #""$v""#)); else \(ShellCode.emit(.noflup, "\(pool.name)", "\"$(printf '%s' \"$v\" | tail -n 1)\"")); fi
            """
            // A pool shipped from `source` gets its virtualenv from stackctl: python3's venv must work.
            let venv: ShellCode = pool.source == nil ? ""
                : "if \(p.python) -c 'import venv, ensurepip' 2>/dev/null; then \(ShellCode.emit(.venv, "ok")); else \(ShellCode.emit(.venv, "missing")); fi\n"
            if full || pool.source != nil && names.isEmpty { s += probe + "\n" + venv; continue }
            if pool.source == nil { s += "if ! \(InspectShell.running) \(names[0]); then \(probe); fi\n" }
        }
        // The holder's command line, and its parent's: an nginx worker calls itself "nginx: worker
        // process", its master names the stack's config.
        let ports = Array(Set(HostCheck.ports(plan).map(\.port))).sorted()
        if !ports.isEmpty {
            let needed: ShellCode = full ? "true" : "! \(InspectShell.allRunning)"
            // One `ss` for all the ports first: naming each holder (`-p`) reads every process's
            // descriptors, so it runs only for a port that is taken.
            s += """
            if \(needed) && [ -n "$(ss -Hltn \("( " + ports.map { "sport = :\($0)" }.joined(separator: " or ") + " )") 2>/dev/null)" ]; then
              for port in \(ports.map(String.init)); do
                ss -Hltnp "sport = :$port" 2>/dev/null | while read -r _ _ _ local _ users; do
                  pid=$(printf '%s' "$users" | sed -n 's/.*pid=\\([0-9]*\\).*/\\1/p'); ppid=$(awk '{print $4}' /proc/${pid:-0}/stat 2>/dev/null)
                  \(ShellCode.emit(.port, #""$port""#, #""${local%:*}""#, #""${pid:-0}""#, "\"$(tr '\\0' ' ' < /proc/${pid:-0}/cmdline 2>/dev/null)| $(tr '\\0' ' ' < /proc/${ppid:-0}/cmdline 2>/dev/null)\""))
                done
              done
            fi

            """
        }
        s += "d=\(t.base); while [ ! -d \"$d\" ]; do d=$(dirname \"$d\"); done\n"
        s += ShellCode.emit(.disk, #""$d""#, "\"$(df -Pk \"$d\" | { read -r _; read -r _ _ _ free _; printf '%s' \"$free\"; })\"") + "\n"
        if plan.tiers.contains(.middle) {
            s += plan.host.processManager == .systemd
                ? ShellCode.emit(.nofile, "\"$(cat /proc/sys/fs/nr_open)\"", "fs.nr_open") + "\n"
                : ShellCode.emit(.nofile, "\"$(ulimit -Hn)\"", "'ulimit -Hn'") + "\n"
        }
        return s
    }
}

/// What the check script found on a host.
public struct CheckReply: ScriptReply, Equatable {
    public var user = "", uid = -1
    public var binaries: [String: String] = [:]
    public var missing: [String] = []
    public var modules: [String] = []
    public var flup: [String: String] = [:]
    public var noFlup: [String: String] = [:]
    public var venv: Bool?
    /// Every listener on a port the host needs: its local address (as ss prints it, without
    /// the port), holder's pid and command lines.
    public var listeners: [(port: Int, address: String, pid: Int, command: String)] = []
    public var disk: (path: String, kb: Int)?
    public var openFiles: (limit: Int, source: String)?
    /// `systemd` when PID 1 is systemd, else PID 1's name (asked on systemd hosts only).
    public var initSystem: String?
    /// With ACME: whether the CA's directory answered from this host (`ok URL`), or why not.
    public var acmeDirectory: (ok: Bool, text: String)?

    public init(_ output: ScriptOutput) {
        for m in output.markers {
            switch m.tag {
            case .user: (user, uid) = (m.fields[0], Int(m.fields[1]) ?? -1)
            case .bin: binaries[m.fields[0]] = m.fields.count > 1 ? m.fields[1] : ""
            case .nobin: missing.append(m.fields[0])
            case .nomod: modules.append(m.fields[0])
            case .flup: flup[m.fields[0]] = m.fields[1]
            case .noflup: noFlup[m.fields[0]] = m.fields[1]
            case .venv: venv = m.fields[0] == "ok"
            case .port: listeners.append((Int(m.fields[0]) ?? 0, m.fields[1], Int(m.fields[2]) ?? 0, m.fields[3]))
            case .disk: disk = (m.fields[0], Int(m.fields[1]) ?? 0)
            case .nofile: openFiles = (Int(m.fields[0]) ?? 0, m.fields[1])
            case .initSystem: initSystem = m.fields[0]
            case .ca: acmeDirectory = (m.fields[0] == "ok", m.fields[1])
            default: continue
            }
        }
    }

    public static func == (a: CheckReply, b: CheckReply) -> Bool {
        a.user == b.user && a.binaries == b.binaries && a.missing == b.missing && a.modules == b.modules && a.flup == b.flup
            && a.noFlup == b.noFlup && a.venv == b.venv && a.listeners.map(\.pid) == b.listeners.map(\.pid) && a.listeners.map(\.address) == b.listeners.map(\.address) && a.disk?.kb == b.disk?.kb
            && a.initSystem == b.initSystem && a.acmeDirectory?.text == b.acmeDirectory?.text
    }
}

extension Scripts {
    /// With ACME, from a front host: the CA's directory answers over verified TLS (a private
    /// CA's root given as text: it is not on the host before the first `up`).
    static func acmeDirectoryCheck(_ plan: HostPlan) -> ShellCode {
        guard let acme = plan.topology.manifest.front.tls?.acme else { return "" }
        var ca = ""
        if case .shipped(_, let text)? = acme.caCertificate { ca = text }
        let py = "import sys, ssl, json, urllib.request\n"
            + "url, ca = sys.argv[1], sys.argv[2]\n"
            + "try:\n"
            + "    ctx = ssl.create_default_context(cadata=ca or None)\n"
            + "    with urllib.request.urlopen(url, timeout=10, context=ctx) as r: d = json.load(r)\n"
            + "    print('\(Marker.Tag.ca.prefix) ok ' + url if 'newOrder' in d"
            + " else '\(Marker.Tag.ca.prefix) error its answer has no newOrder: not an ACME directory')\n"
            + "except Exception as e:\n"
            + "    print('\(Marker.Tag.ca.prefix) error ' + ' '.join(str(e).split()))\n"
        return "\(plan.platform.python) -I -S -c \(py) \([acme.directory, ca])\n"
    }

    /// The virtualenv an interpreter at `VENV/bin/python[3]` belongs to.
    static func virtualenv(of python: String) -> String? {
        for suffix in ["/bin/python", "/bin/python3"] where python.hasSuffix(suffix) && python.count > suffix.count {
            return String(python.dropLast(suffix.count))
        }
        return nil
    }
}
