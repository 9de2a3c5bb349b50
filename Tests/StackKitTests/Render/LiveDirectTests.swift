import Foundation
import Testing
@testable import StackKit
#if canImport(Glibc)
import Glibc
#endif

/// A stack without a middle tier, run for real on loopback: Apache from its rendered config
/// serves the static files itself and passes the routes to flup over FastCGI (mod_proxy_fcgi),
/// a TCP pool of two workers through a balancer and a prefork pool on a unix socket. The app
/// must see SCRIPT_NAME and PATH_INFO as through either middle server.
@Suite(.serialized, .needsLiveStack) struct LiveDirectTests {
    static func manifest(root: String, python: String, ports: [Int], scheme: String, protocols: String) -> String {
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
          scheme: \(scheme)
          static:
            root: \(root)/public
            aliases: { /static/: \(root)/static }
          mime_types: { .webmanifest: application/manifest+json }
          routes: { /: main, /admin: admin }
        \(LiveStackTests.pools(python: python, port: ports[2], adminSocket: "auto", protocols: protocols))
        """
    }

    /// FastCGI (mod_proxy_fcgi), SCGI (mod_proxy_scgi), and one pool of each.
    @Test(arguments: ["http", "https"], ["fastcgi", "scgi", "mixed"])
    func apacheServesStaticFilesAndMountsAppsRightWithoutAMiddle(scheme: String, protocols: String) throws {
        guard let (root, ports, renderer, host) = try LiveStackTests.prepare("direct", { try Self.manifest(root: $0, python: $1, ports: $2, scheme: scheme, protocols: protocols) }) else { return }
        defer { try? FileManager.default.removeItem(at: root) }
        try "{}\n".write(to: root.appendingPathComponent("static/app.webmanifest"), atomically: true, encoding: .utf8)
        #expect(renderer.topology.direct && host.files.allSatisfy { $0.role != .middle })

        let processes = LiveProcesses()
        defer { processes.stopAll() }
        let log = renderer.topology.logDirectory
        let programs = Programs.on(host.host, renderer.topology, Platform())
        #expect(!programs.contains { $0.tier == .middle })
        for program in programs where program.tier == .workers {
            _ = try processes.start(program.argv, log: "\(log)/\(program.name).log")
        }
        // pool admin is on Apache's own host: `auto` gives it a unix socket, in Apache's group.
        let socket = renderer.topology.socketDirectory("admin") + "/0.sock"
        #expect(Net.wait(15) { Net.canConnect(port: ports[2]) && Net.canConnect(port: ports[2] + 1) && Net.canConnect(unix: socket) }, "workers did not come up: \(LiveStackTests.logs(log))")
        let front = try #require(programs.first { $0.tier == .front })
        _ = try processes.start(front.argv, log: "\(log)/front.log")
        #expect(Net.wait(15) { Net.canConnect(port: ports[0]) }, "Apache did not come up: \(LiveStackTests.logs(log))")

        let base = "http://127.0.0.1:\(ports[0])"
        let css = try Net.get(base + "/static/site.css")
        #expect(css.status == 200 && css.contentType.hasPrefix("text/css") && css.body == "body { color: black }\n", "\(css)")
        #expect(try Net.get(base + "/static/app.webmanifest").contentType.hasPrefix("application/manifest+json"))
        let missing = try Net.get(base + "/static/missing.css")
        #expect(missing.status == 404 && !missing.body.contains("greeting"), "static paths never reach an app: \(missing)")
        let cases: [(String, String, String, String)] = [
            ("/shop/cart?x=1", "main", "", "/shop/cart"),
            ("/a%20b/c", "main", "", "/a b/c"),
            ("/admin", "admin", "/admin", ""),
            ("/admin/users/7", "admin", "/admin", "/users/7"),
            ("/administrator/x", "main", "", "/administrator/x"),
            ("/", "main", "", "/"),
        ]
        var pids = Set<String>()
        for (path, pool, scriptName, pathInfo) in cases {
            let r = try Net.get(base + path)
            let seen = LiveStackTests.json(r.body)
            #expect(r.status == 200 && seen["greeting"] == pool && seen["script_name"] == scriptName && seen["path_info"] == pathInfo,
                    "\(base)\(path): \(r.status) \(r.body)")
            if pool == "main" { pids.insert(seen["pid"] ?? "") }
        }
        #expect(pids.count == 2, "the balancer spreads pool main over both workers: \(pids)")
        let seen = LiveStackTests.json(try Net.get(base + "/shop?q=1", headers: ["X-Forwarded-For: 203.0.113.9"]).body)
        #expect(seen["host"] == "127.0.0.1:\(ports[0])" && seen["query"] == "q=1" && seen["remote_addr"] == "127.0.0.1", "\(seen)")
        #expect(seen["scheme"] == scheme, "front.scheme reaches the app as HTTPS: \(seen)")
        #expect(try Net.get(base + "/health").body == "ok\n")
    }
}
