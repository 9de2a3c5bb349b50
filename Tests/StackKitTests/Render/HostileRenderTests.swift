import Foundation
import Testing
@testable import StackKit

/// Manifests the validator accepts whose renders a real server used to refuse. The generated
/// manifests (`GeneratedManifestTests`) run every render through the servers; these pin the
/// individual fixes.
@Suite struct HostileRenderTests {
    static func render(_ yaml: String) throws -> [String: String] {
        let manifest = try ManifestLoader.parse(yaml)
        var files: [String: String] = [:]
        for host in StackRenderer(manifest).renderAll() {
            for f in host.files { files["\(host.host.name):\((f.path as NSString).lastPathComponent)"] = f.contents }
        }
        return files
    }

    @Test func ipv6AddressesAreWrittenTheWayEachServerReadsThem() throws {
        let yaml = BadManifestCases.valid
            .replacingOccurrences(of: "a: { address: 127.0.3.1 }", with: "a: { address: '::1' }")
            .replacingOccurrences(of: "server: nginx", with: "server: lighttpd")
        let files = try Self.render(yaml)
        let lighttpd = try #require(files["a:lighttpd.conf"]), apache = try #require(files["a:apache2.conf"])
        #expect(lighttpd.contains("server.bind = \"[::1]\""), "lighttpd's getaddrinfo refuses a bare ::1")
        #expect(apache.contains("Listen [::1]:80"))
        // Apache reads the brackets of [::1] as a pattern: the host's name stands in.
        #expect(apache.contains("ServerName a\n"))
        let nginx = try #require(try Self.render(BadManifestCases.valid.replacingOccurrences(of: "a: { address: 127.0.3.1 }", with: "a: { address: '::1' }"))["a:nginx.conf"])
        #expect(nginx.contains("listen [::1]:8000;"))
    }

    @Test func apacheTakesTheFirstPlainServerNameNotAWildcard() throws {
        let files = try Self.render(BadManifestCases.replacing(6, with: "  hosts: [a]\n  server_names: ['*.example.com', shop.example.com]"))
        #expect(files["a:apache2.conf"]!.contains("ServerName shop.example.com\n"))
        #expect(files["a:nginx.conf"]!.contains("server_name \"*.example.com\" \"shop.example.com\";"))
        let only = try Self.render(BadManifestCases.replacing(6, with: "  hosts: [a]\n  server_names: ['*.example.com']"))
        #expect(only["a:apache2.conf"]!.contains("ServerName 127.0.3.1\n"))
    }

    @Test func mimeOverridesThatTakeEveryCharsetLeaveNginxAListItTakes() throws {
        let charset = MimeTypes.table.filter { $0.type.contains("charset") && $0.ext != "html" && $0.ext != "htm" }.map(\.ext)
        let overrides = charset.map { "\($0): application/x-\($0)" }.joined(separator: ", ")
        let files = try Self.render(BadManifestCases.replacing(10, with: "  static: { root: /srv/static }\n  mime_types: { \(overrides) }"))
        #expect(files["a:nginx.conf"]!.contains("charset_types \"application/x-stackctl-no-charset\";"))
    }

    @Test func theMiddleServerGetsTheOpenFilesItsConnectionsNeed() throws {
        let yaml = BadManifestCases.replacing(9, with: "  hosts: [a]\n  max_connections: 30000")
        let files = try Self.render(yaml)
        #expect(files["a:nginx.conf"]!.contains("worker_rlimit_nofile 60064;"))
        #expect(files["a:shop-middle.service"]!.contains("LimitNOFILE=60064\n"))
        let lighttpd = try Self.render(yaml.replacingOccurrences(of: "server: nginx", with: "server: lighttpd"))
        #expect(lighttpd["a:lighttpd.conf"]!.contains("server.max-fds = 60064\n"))
    }

    /// The deploy's open-files check, run by a real shell: a limit this session cannot reach is
    /// refused with the numbers; one it can is valid.
    @Test(arguments: [ProcessManager.supervisord, .systemd])
    func theOpenFilesCheckRefusesWhatTheHostCannotGive(manager: ProcessManager) throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let nrOpen = Int((try? String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 1 << 20
        let tooMany = manager == .systemd ? nrOpen + 1 : Int(limit.rlim_max) + 1
        for (files, valid) in [(64, true), (tooMany, false)] {
            let code = Scripts.prelude + Scripts.checkFunction + Scripts.openFiles(files, "/m/nginx.conf", manager)
            let r = try Run.run(["/bin/sh", "-c", code.text])
            let out = ScriptOutput(r.stdout)
            #expect(out.has(.valid) == valid, "\(manager) \(files): \(r.stdout)")
            if !valid {
                let detail = out.first(.invalid)?.detail.joined() ?? ""
                #expect(detail.hasPrefix("max_connections needs \(tooMany) open files; this host allows "), "\(detail)")
            }
        }
    }
}
