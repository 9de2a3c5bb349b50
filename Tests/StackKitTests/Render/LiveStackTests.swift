import Foundation
import Testing
@testable import StackKit
#if canImport(Glibc)
import Glibc
#endif

/// The rendered stack, run for real on loopback: flup workers through the rendered launcher,
/// the middle server and the Apache front from their rendered configs, started with the argv
/// the process manager would use. Asserts what the app sees (SCRIPT_NAME, PATH_INFO, pool),
/// what the static tier answers, and how the launcher starts and stops.
@Suite(.serialized, .needsLiveStack) struct LiveStackTests {
    static func manifest(root: String, server: MiddleServer, python: String, ports: [Int], protocols: String = "fastcgi") -> String {
        """
        name: live
        base: \(root)/base
        process_manager: supervisord
        hosts:
          here: { local: true }
        front:
          hosts: [here]
          address: 127.0.0.1
          port: \(ports[0])
        middle:
          server: \(server.rawValue)
          hosts: [here]
          address: 127.0.0.1
          port: \(ports[1])
          static:
            root: \(root)/public
            aliases: { /static/: \(root)/static }
          routes: { /: main, /admin: admin }
        \(pools(python: python, port: ports[2], adminSocket: "unix", protocols: protocols))
        """
    }

    /// Pool main (two threaded workers over TCP) and admin (prefork, on `adminSocket`), both
    /// the example app, each saying its name. `protocols`: fastcgi, scgi, or mixed (main
    /// SCGI, admin FastCGI).
    static func pools(python: String, port: Int, adminSocket: String, protocols: String = "fastcgi") -> String {
        let app = Fixtures.repoRoot.appendingPathComponent("examples/app").path
        let main = protocols == "fastcgi" ? "fastcgi" : "scgi", admin = protocols == "scgi" ? "scgi" : "fastcgi"
        return """
        pools:
          main:
            wsgi: hello:application
            directory: \(app)
            python: \(python)
            env: { APP_GREETING: main }
            instances: 2
            hosts: [here]
            socket: tcp
            port: \(port)
            protocol: \(main)
          admin:
            wsgi: hello:application
            directory: \(app)
            python: \(python)
            env: { APP_GREETING: admin }
            server: prefork
            prefork: { min_spare: 1, max_spare: 2, max_children: 4 }
            hosts: [here]
            socket: \(adminSocket)
            protocol: \(admin)
        """
    }

    static func prerequisites() -> String? {
        guard getuid() == 0 else { return "the live stack needs root (servers drop to www-data)" }
        guard let python = ProcessInfo.processInfo.environment["STACKCTL_TEST_PYTHON"], FileManager.default.isExecutableFile(atPath: python) else {
            return "STACKCTL_TEST_PYTHON (a python with flup 1.0.3) is not set; scripts/test sets it"
        }
        for tool in ["apache2", "lighttpd", "nginx", "curl"] where Run.which(tool) == nil { return "\(tool) is not installed" }
        return nil
    }

    static func json(_ body: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return [:] }
        return object.mapValues { "\($0)" }
    }

    /// Each middle server with FastCGI pools, SCGI pools, and one of each.
    @Test(arguments: MiddleServer.allCases, ["fastcgi", "scgi", "mixed"])
    func renderedStackServesStaticFilesAndMountsAppsRight(server: MiddleServer, protocols: String) throws {
        guard let (root, ports, renderer, host) = try Self.prepare("live", { try Self.manifest(root: $0, server: server, python: $1, ports: $2, protocols: protocols) }) else { return }
        defer { try? FileManager.default.removeItem(at: root) }

        let processes = LiveProcesses()
        defer { processes.stopAll() }
        let log = renderer.topology.logDirectory
        let programs = Programs.on(host.host, renderer.topology, Platform())
        var admin: Service?
        for program in programs where program.tier == .workers {
            let p = try processes.start(program.argv, log: "\(log)/\(program.name).log")
            if program.pool == "admin" { admin = p }
        }
        let socket = renderer.topology.socketDirectory("admin") + "/0.sock"
        #expect(Net.wait(15) { Net.canConnect(port: ports[2]) && Net.canConnect(port: ports[2] + 1) && Net.canConnect(unix: socket) }, "workers did not come up: \(Self.logs(log))")
        for tier in [Tier.middle, .front] {
            let program = try #require(programs.first { $0.tier == tier })
            _ = try processes.start(program.argv, log: "\(log)/\(program.name).log")
        }
        #expect(Net.wait(15) { Net.canConnect(port: ports[1]) && Net.canConnect(port: ports[0]) }, "servers did not come up: \(Self.logs(log))")

        let middle = "http://127.0.0.1:\(ports[1])", front = "http://127.0.0.1:\(ports[0])"
        for base in [middle, front] {
            let css = try Net.get(base + "/static/site.css")
            #expect(css.status == 200 && css.contentType.hasPrefix("text/css"), "\(server) \(base): \(css)")
            let missing = try Net.get(base + "/static/missing.css")
            #expect(missing.status == 404 && !missing.body.contains("greeting"), "static paths never reach an app: \(missing)")
            let cases: [(String, String, String, String)] = [
                ("/shop/cart?x=1", "main", "", "/shop/cart"),
                ("/admin", "admin", "/admin", ""),
                ("/admin/users/7", "admin", "/admin", "/users/7"),
                ("/administrator/x", "main", "", "/administrator/x"),
                ("/", "main", "", "/"),
            ]
            for (path, pool, scriptName, pathInfo) in cases {
                let r = try Net.get(base + path)
                let seen = Self.json(r.body)
                #expect(r.status == 200 && seen["greeting"] == pool && seen["script_name"] == scriptName && seen["path_info"] == pathInfo,
                        "\(server) \(base)\(path): \(r.status) \(r.body)")
            }
            #expect(try Net.get(base + "/health").body == "ok\n")
        }
        let viaFront = Self.json(try Net.get(front + "/shop?q=1", headers: ["X-Forwarded-Proto: https", "X-Forwarded-For: 203.0.113.9"]).body)
        #expect(viaFront["host"] == "127.0.0.1:\(ports[0])", "ProxyPreserveHost keeps the client's Host")
        #expect(viaFront["query"] == "q=1")
        #expect(viaFront["scheme"] == "http", "the front, not the client, says which scheme was used")
        #expect(viaFront["remote_addr"] == "127.0.0.1", "a client's own X-Forwarded-For is not trusted")
        // What the front sends (both headers, from the front's address) is trusted by the middle.
        let direct = Self.json(try Net.get(middle + "/shop", headers: ["X-Forwarded-Proto: https", "X-Forwarded-For: 198.51.100.7"]).body)
        #expect(direct["scheme"] == "https" && direct["remote_addr"] == "198.51.100.7", "\(server) middle: \(direct)")

        // A second worker on a live socket refuses instead of stealing it.
        let adminProgram = try #require(programs.first { $0.pool == "admin" })
        let thief = try processes.start(adminProgram.argv, log: "\(log)/thief.log")
        #expect(thief.exitCode(within: 10) == 2)
        #expect(try String(contentsOfFile: "\(log)/thief.log", encoding: .utf8).contains("another process is already listening on \(socket)"))
        #expect(try Net.get(middle + "/admin/x").status == 200)

        // SIGTERM stops the prefork worker (flup alone waits for its next child event) and removes its socket.
        let worker = try #require(admin)
        kill(worker.pid, SIGTERM)
        #expect(worker.exitCode(within: 8) == 0, "prefork worker ignored SIGTERM")
        #expect(!FileManager.default.fileExists(atPath: socket))
        #expect(try String(contentsOfFile: "\(log)/live-admin-0.log", encoding: .utf8).contains("pool admin instance 0 stopped"))
    }

    /// A temporary root, free ports (front, middle, and a pair for a pool's two instances), and
    /// the one local host's render written there; nil (after saying why) without the servers.
    static func prepare(_ label: String, ipv6: Bool = false, _ manifest: (String, String, [Int]) throws -> String) throws -> (URL, [Int], StackRenderer, HostRender)? {
        if let missing = prerequisites() {
            Issue.record("\(missing): a live test carries .needsLiveStack")
            return nil
        }
        let python = ProcessInfo.processInfo.environment["STACKCTL_TEST_PYTHON"]!
        let root = try Fixtures.temporaryDirectory(label)
        let ports = ipv6 ? [Net.freeIPv6Port(), Net.freeIPv6Port(), Net.freeIPv6Port(pair: true)]
            : [Net.freePort(), Net.freePort(), Net.freePortPair()]
        let renderer = StackRenderer(try ManifestLoader.parse(try manifest(root.path, python, ports)))
        let host = renderer.renderAll()[0]
        try install(host, root: root)
        return (root, ports, renderer, host)
    }

    static func install(_ host: HostRender, root: URL) throws {
        let fm = FileManager.default
        for dir in host.directories {
            try fm.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
            try fm.setAttributes([.ownerAccountName: dir.owner, .groupOwnerAccountName: dir.group, .posixPermissions: dir.mode], ofItemAtPath: dir.path)
        }
        for file in host.files where file.path.hasPrefix(root.path) {
            try file.contents.write(toFile: file.path, atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: file.mode], ofItemAtPath: file.path)
        }
        for (dir, name, text) in [("static", "site.css", "body { color: black }\n"), ("static", "health.txt", "ok\n"), ("public", "index.html", "<p>home</p>\n")] {
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
            try text.write(to: root.appendingPathComponent("\(dir)/\(name)"), atomically: true, encoding: .utf8)
        }
    }

    static func logs(_ dir: String) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.sorted().map { name in
            "--- \(name)\n" + ((try? String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)) ?? "").suffix(1500)
        }.joined(separator: "\n")
    }
}
