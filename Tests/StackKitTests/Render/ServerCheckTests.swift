import Foundation
import Testing
@testable import StackKit

/// Every rendered file goes through the check of the real program that will read it:
/// `apache2 -t`, `lighttpd -tt` (any stderr output fails: it exits 0 on unknown keys),
/// `nginx -t` with its own prefix, supervisord's own config parser, `systemd-analyze verify`,
/// Python's compiler for the launcher. The manifest is rebased under a temporary directory.
@Suite(.serialized, .needs("apache2", "lighttpd", "nginx", "supervisord", "systemd-analyze")) struct ServerCheckTests {
    struct Checked {
        var root: URL
        var hosts: [HostRender]
        var topology: Topology
    }

    static func renderRebased(_ label: String) throws -> Checked {
        let root = try Fixtures.temporaryDirectory("check")
        let manifest = Fixtures.rebased(try GoldenTests.manifest(label), under: root.path)
        let renderer = StackRenderer(manifest)
        let hosts = renderer.renderAll()
        return Checked(root: root, hosts: hosts, topology: renderer.topology)
    }

    /// Writes one host's files and directories under its own folder (systemd units too).
    static func install(_ host: HostRender, _ checked: Checked) throws -> URL {
        let fm = FileManager.default
        let hostRoot = checked.root.appendingPathComponent("hosts/\(host.host.name)")
        for dir in host.directories + [DirectorySpec(path: checked.topology.manifest.middle.staticRoot)] {
            try fm.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        }
        for alias in checked.topology.manifest.middle.aliases {
            try fm.createDirectory(atPath: alias.directory, withIntermediateDirectories: true)
        }
        for file in host.files {
            // Paths under the rebased root are real; units under /etc go below the host's folder.
            let path = file.path.hasPrefix(checked.root.path) ? file.path : hostRoot.path + file.path
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.contents.write(toFile: path, atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: file.mode], ofItemAtPath: path)
        }
        return hostRoot
    }

    static func tool(_ name: String) -> String? {
        let path = Run.which(name)
        if path == nil { Issue.record("\(name) is not installed: the suite carries .needs") }
        return path
    }

    @Test(arguments: GoldenTests.cases)
    func everyRenderedFilePassesItsServersOwnCheck(label: String) throws {
        let checked = try Self.renderRebased(label)
        defer { try? FileManager.default.removeItem(at: checked.root) }
        let t = checked.topology
        var checkedKinds = Set<String>()
        for host in checked.hosts {
            let hostRoot = try Self.install(host, checked)
            for file in host.files {
                let name = (file.path as NSString).lastPathComponent
                switch name {
                case "apache2.conf":
                    guard let apache = Self.tool("apache2") else { continue }
                    let r = try Run.run([apache, "-t", "-f", file.path, "-d", t.frontDirectory])
                    #expect(r.status == 0 && r.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "Syntax OK", "\(label) \(host.host.name): \(r.stderr)")
                case "lighttpd.conf":
                    guard let lighttpd = Self.tool("lighttpd") else { continue }
                    let r = try Run.run([lighttpd, "-tt", "-f", file.path])
                    #expect(r.status == 0 && r.stderr.isEmpty && r.stdout.isEmpty, "\(label) \(host.host.name): \(r.stderr)\(r.stdout)")
                case "nginx.conf":
                    guard let nginx = Self.tool("nginx") else { continue }
                    try FileManager.default.createDirectory(atPath: t.middleDirectory + "/temp", withIntermediateDirectories: true)
                    let r = try Run.run([nginx, "-t", "-q", "-p", t.middleDirectory, "-c", file.path])
                    #expect(r.status == 0 && r.stderr.isEmpty, "\(label) \(host.host.name): \(r.stderr)")
                case "supervisord.conf":
                    try Fixtures.ownAccountsAsRoot(file.contents, t.manifest).write(toFile: file.path, atomically: true, encoding: .utf8)
                    try Self.checkSupervisord(file.path, expecting: Programs.on(host.host, t, Platform()).map(\.name), label)
                case "launcher.py", "supervisord":
                    let r = try Run.run(["/usr/bin/python3", "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", file.path])
                    #expect(r.status == 0, "\(label) \(host.host.name): \(r.stderr)")
                case "pool.json":
                    #expect((try? JSONSerialization.jsonObject(with: Data(file.contents.utf8))) != nil)
                default:
                    #expect(file.path.hasPrefix("/etc/systemd/system/"), "unexpected file \(file.path)")
                    continue
                }
                checkedKinds.insert(name)
            }
            if host.files.contains(where: { $0.path.hasPrefix("/etc/systemd/system/") }) {
                try Self.checkSystemd(hostRoot.appendingPathComponent("etc/systemd/system"), label)
                checkedKinds.insert("systemd")
            }
        }
        #expect(checkedKinds.contains("apache2.conf"))
        if t.direct {
            #expect(!checkedKinds.contains("nginx.conf") && !checkedKinds.contains("lighttpd.conf"), "no middle tier, no middle config")
        } else {
            #expect(checkedKinds.contains(t.manifest.middle.server == .nginx ? "nginx.conf" : "lighttpd.conf"))
        }
    }

    static func checkSupervisord(_ path: String, expecting programs: [String], _ label: String) throws {
        let script = """
        import sys
        from supervisor.options import ServerOptions
        o = ServerOptions()
        o.realize(args=["-c", sys.argv[1]])
        print(" ".join(sorted(p.name for g in o.process_group_configs for p in g.process_configs)))
        """
        let r = try Run.run(["/usr/bin/python3", "-c", script, path])
        if r.stderr.contains("No module named 'supervisor'") {
            Issue.record("supervisor is not installed: the suite carries .needs")
            return
        }
        #expect(r.status == 0, "\(label): \(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == programs.sorted().joined(separator: " "), "\(label)")
    }

    /// The staged supervisord.conf's check reads it as supervisord would, with a stand-in for
    /// pkg_resources: a good config passes without importing it, and a bad one is refused with
    /// supervisord's own words (an rpcinterface factory is resolved through the stand-in too).
    @Test func theSupervisordCheckReadsTheConfigWithoutPkgResources() throws {
        let dir = try Fixtures.temporaryDirectory("svcheck")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = """
        [unix_http_server]
        file=\(dir.path)/s.sock
        [supervisord]
        logfile=\(dir.path)/s.log
        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
        [program:a]
        command=/bin/sleep 1

        """
        let cases = [("good", good, true, ""),
                     ("bad factory", good.replacingOccurrences(of: "supervisor.rpcinterface:make_main_rpcinterface", with: "supervisor.rpcinterface:nope"), false, "nope"),
                     ("bad value", good + "autostart=maybe\n", false, "not a valid boolean value: 'maybe'")]
        for (name, text, ok, says) in cases {
            let path = dir.appendingPathComponent("\(name).conf").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try Run.run(["/usr/bin/python3", "-X", "importtime", "-c", Scripts.supervisorCheck, path])
            if r.stderr.contains("No module named 'supervisor'") {
                Issue.record("supervisor is not installed: the suite carries .needs")
                return
            }
            #expect((r.status == 0) == ok, "\(name): \(r.stderr.suffix(400))")
            #expect(says.isEmpty || r.stderr.contains(says), "\(name): \(r.stderr.suffix(400))")
            #expect(!r.stderr.contains("| pkg_resources"), "\(name): pkg_resources was imported")
        }
        // What the check leaves out is never loaded (a stand-in has no spec: it was not imported).
        let listing = Scripts.supervisorCheck + "\nprint(' '.join(k for k, v in sys.modules.items() if v is not None and v.__spec__ is not None))\n"
        let loaded = try Run.run(["/usr/bin/python3", "-c", listing, dir.appendingPathComponent("good.conf").path])
        let modules = Set(loaded.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(modules.contains("supervisor.options") && modules.contains("supervisor.rpcinterface"), "\(loaded.stderr.suffix(400))")
        for module in ["pkg_resources", "http.client", "email", "_hashlib", "ssl"] { #expect(!modules.contains(module), "\(module) was loaded") }
        // The stack's supervisord launcher, staged beside it, is parsed by the same run.
        let conf = dir.appendingPathComponent("good.conf").path, launcher = dir.appendingPathComponent("supervisord").path
        let text = SupervisordRenderer.launcher(python: "/usr/bin/python3", stack: "s", host: "h")
        for (launcherText, ok) in [(text, true), (text + "def broken(:\n", false)] {
            try launcherText.write(toFile: launcher, atomically: true, encoding: .utf8)
            let r = try Run.run(["/usr/bin/python3", "-c", Scripts.supervisorCheck, conf, launcher])
            #expect((r.status == 0) == ok, "\(r.stderr.suffix(400))")
            #expect(ok || (r.stderr.contains("SyntaxError") && r.stderr.contains(launcher)), "\(r.stderr.suffix(400))")
        }
    }

    /// The stack's supervisord starts as a process called `supervisord`, with the stand-ins
    /// (no pkg_resources, http.client, ssl or _hashlib loaded), runs the config's programs, answers
    /// the control's calls, and stops when told.
    @Test func theStacksSupervisordStartsServesAndStops() throws {
        let dir = try Fixtures.temporaryDirectory("svstart")
        defer { try? FileManager.default.removeItem(at: dir) }
        let launcher = dir.appendingPathComponent("supervisord").path
        try SupervisordRenderer.launcher(python: "/usr/bin/python3", stack: "s", host: "h").write(toFile: launcher, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: launcher)
        let sock = dir.appendingPathComponent("s.sock").path, conf = dir.appendingPathComponent("s.conf").path
        try """
        [unix_http_server]
        file=\(sock)
        [supervisord]
        logfile=\(dir.path)/s.log
        pidfile=\(dir.path)/s.pid
        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
        [program:sleeper]
        command=/bin/sleep 600
        autostart=true
        startsecs=0

        """.write(toFile: conf, atomically: true, encoding: .utf8)
        // Started through Python's subprocess, which closes every other descriptor (Foundation's
        // Process waits for one it hands its child, and supervisord keeps it as a daemon), with
        // no signal blocked (the test runner's mask would keep supervisord from its SIGCHLD).
        let start = try Run.run(["/usr/bin/python3", "-c", "import signal, subprocess, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); sys.exit(subprocess.run(sys.argv[1:]).returncode)",
                                 launcher, "-c", conf])
        if start.stderr.contains("No module named 'supervisor'") {
            Issue.record("supervisor is not installed: the suite carries .needs")
            return
        }
        #expect(start.status == 0, "\(start.stderr)")
        let control = { (args: [String]) in try Run.run(["/usr/bin/python3", "-I", "-S", "-c", SupervisorControl.script, sock] + args) }
        var status = try control(["status"])
        for _ in 0..<100 where status.stdout != "@running sleeper\n" {
            usleep(50_000)
            status = try control(["status"])
        }
        #expect(status.stdout == "@running sleeper\n", "\(status.stderr)")
        let pid = Int32((try? String(contentsOfFile: dir.path + "/s.pid", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        #expect(pid > 0)
        #expect((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) == "supervisord\n")
        // OpenSSL's modules stay unloaded (supervisord speaks no TLS, and hashes with Python's own).
        let maps = (try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)) ?? ""
        #expect(maps.contains("python") && !maps.contains("_ssl.") && !maps.contains("_hashlib."), "\(maps.suffix(600))")
        #expect(try control(["shutdown"]).status == 0)
        // Gone, or a zombie nobody reaps yet (the test runner may have adopted it).
        let alive = { ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "").split(separator: " ").dropFirst(2).first.map { $0 != "Z" } ?? false }
        for _ in 0..<100 where alive() { usleep(50_000) }
        #expect(!alive(), "supervisord stopped")
    }

    /// Template units are verified as instance 0, the way they will be started.
    static func checkSystemd(_ dir: URL, _ label: String) throws {
        guard let analyze = tool("systemd-analyze") else { return }
        let fm = FileManager.default
        var units: [String] = []
        for name in try fm.contentsOfDirectory(atPath: dir.path).sorted() {
            if name.hasSuffix("@.service") {
                let instance = name.replacingOccurrences(of: "@.service", with: "@0.service")
                try fm.copyItem(atPath: dir.appendingPathComponent(name).path, toPath: dir.appendingPathComponent(instance).path)
                units.append(dir.appendingPathComponent(instance).path)
            } else {
                units.append(dir.appendingPathComponent(name).path)
            }
        }
        let r = try Run.run([analyze, "verify", "--man=no"] + units)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(label): \(r.stderr)")
    }
}
