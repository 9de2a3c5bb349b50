import Foundation
import Testing
import StackKitTesting
import StackKit

/// Every test that uses the lab, one at a time: they share its hosts, ports and stack.
@Suite(.serialized) struct Lab {}

/// `stackctl up` against the lab (scripts/lab: six hosts with their own sshd on 127.0.0.11-16),
/// run as a user runs it. scripts/test brings the lab up and sets STACKCTL_LAB.
extension Lab {
@Suite(.needsLab) struct LabE2ETests {
    static let env = ProcessInfo.processInfo.environment
    static var lab: String? { env["STACKCTL_LAB"] }
    static var sshConfig: String { "\(lab!)/ssh_config" }

    struct Reply {
        var status: Int
        var contentType: String
        var body: String
        var json: [String: String] {
            ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?.mapValues { "\($0)" } ?? [:]
        }
    }

    static func get(_ url: String) throws -> Reply {
        precondition(url.hasPrefix("http://127."), "tests only talk to loopback addresses")
        let r = try CLITests.capture(["/usr/bin/curl", "-s", "--noproxy", "*", "-m", "10", "-o", "-", "-w", "\n%{http_code} %{content_type}", url])
        var lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let meta = lines.removeLast().split(separator: " ", maxSplits: 1)
        return Reply(status: Int(meta.first ?? "") ?? 0, contentType: meta.count > 1 ? String(meta[1]) : "", body: lines.joined(separator: "\n"))
    }

    static func up(_ manifest: String, json: Bool = true, _ extra: [String] = []) throws -> (status: Int32, report: DeployReport, stderr: String) {
        let r = try CLITests.stackctl(["up", "-f", manifest, "-F", sshConfig] + (json ? ["--json"] : []) + extra)
        return (r.status, Reports.deploy(r.stdout), r.stderr)
    }

    /// `up` expected to exit with `status`; a different exit is recorded with what up said.
    @discardableResult
    static func expectUp(_ manifest: String, status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> (status: Int32, report: DeployReport, stderr: String) {
        let r = try up(manifest)
        #expect(r.status == status, "up exited \(r.status): \(r.stderr.suffix(3000))", sourceLocation: sourceLocation)
        return r
    }

    /// examples/multi-host.yml on this kind's hosts, with `server` as its middle, and `edit` applied.
    static func manifest(server: String, kind: LabKind = .plain, in dir: URL, edit: (inout YAMLEdit) throws -> Void = { _ in }) throws -> String {
        let text = try editYAML(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/multi-host.yml"), encoding: .utf8)) {
            try kind.adapt(&$0)
            try $0.set("middle.server", .scalar(server, quoted: false))
            try edit(&$0)
        }
        let path = dir.appendingPathComponent("\(server)-\(UUID().uuidString.prefix(6)).yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: ["lighttpd", "nginx"], LabKind.allCases)
    func deployServeReRunRefuseBrokenConfigAndNameADeadHost(server: String, kind: LabKind) throws {
        guard Self.lab != nil else {
            Issue.record("STACKCTL_LAB is not set: a test that needs the lab carries .needsLab")
            return
        }
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try Self.manifest(server: server, kind: kind, in: dir)
        defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", Self.sshConfig]) }

        // Cold deploy.
        let first = try Self.up(manifest)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.report.ok)

        // Through the front: each pool, mounted right.
        for (path, greeting, scriptName, pathInfo) in [("/", "main", "", "/"), ("/shop/cart", "main", "", "/shop/cart"),
                                                       ("/admin", "admin", "/admin", ""), ("/admin/users/7", "admin", "/admin", "/users/7"),
                                                       ("/administrator", "main", "", "/administrator")] {
            let r = try Self.get(kind.front + path)
            #expect(r.status == 200 && r.json["greeting"] == "hello from \(greeting)" && r.json["script_name"] == scriptName && r.json["path_info"] == pathInfo,
                    "\(server) \(path): \(r.status) \(r.body)")
        }
        // The middle's banner stays behind the front, for an app answer and a static file alike.
        for path in ["/", "/static/site.css"] {
            let head = try CLITests.capture(["/usr/bin/curl", "-s", "--noproxy", "*", "-m", "10", "-o", "/dev/null", "-D", "-", kind.front + path]).stdout
            let banner = head.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("server:") }
            #expect(banner == ["Server: Apache"], "\(server) \(path): \(head)")
        }
        // A static file comes from the middle with its type, and through the front too.
        for base in ["http://\(kind.address(2)):8000", kind.front] {
            let css = try Self.get("\(base)/static/site.css")
            #expect(css.status == 200 && css.contentType.hasPrefix("text/css") && css.body.contains("font-family"), "\(server) \(base): \(css)")
        }

        // No-op: nothing uploaded or restarted, and no new SSH connection: each host's, kept
        // open by the run before, carries it.
        let before = kind.connections()
        let again = try Self.up(manifest)
        #expect(again.status == 0)
        for host in again.report.hosts {
            #expect(host.unchanged && host.uploaded.isEmpty, "\(host.host): \(host)")
        }
        #expect(zip(kind.connections(), before).map { $0 - $1 } == [0, 0, 0, 0, 0])
        // Without kept connections, one per host.
        let closing = kind.connections()
        #expect(try Self.up(manifest, ["--ssh-persist", "0"]).status == 0)
        #expect(zip(kind.connections(), closing).map { $0 - $1 } == [1, 1, 1, 1, 1])

        // A middle config the host's own server refuses: up fails, names the host, the old config serves.
        let broken = try Self.manifest(server: server, kind: kind, in: dir) { try $0.set("middle.user", "nosuchuser") }
        let refused = try Self.up(broken)
        #expect(refused.status == 4)
        #expect(refused.report.failure?.contains("middle1") == true)
        #expect(refused.report.byHost["middle1"]?.error?.contains("nosuchuser") == true, "\(refused.report)")
        #expect(try Self.get(kind.front + "/admin/x").json["greeting"] == "hello from admin")
        #expect(try Self.up(manifest).status == 0, "the good manifest still deploys after a refused one")

        // A worker host that is down: up fails with that host named, and changes nothing.
        let restore = try kind.stopSSH(4)
        let dead = try Self.up(manifest, ["--ssh-persist", "0"])
        #expect(dead.status == 3)
        #expect(dead.report.byHost["app2"]?.reachable == false)
        #expect(dead.report.failure?.contains("app2") == true)
        restore()

        // down stops front, middle and workers.
        let down = try CLITests.stackctl(["down", "-f", manifest, "-F", Self.sshConfig])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try Self.get(kind.front + "/").status == 0)
    }
}
}
