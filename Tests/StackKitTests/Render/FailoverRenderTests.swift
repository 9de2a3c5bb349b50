import Testing
@testable import StackKit

/// Every hop bounds its wait for a connection and skips a peer that fails, with the manifest's
/// values; all three servers balance round robin unless told otherwise.
@Suite struct FailoverRenderTests {
    static func conf(_ server: MiddleServer, host: String = "m1", suffix: String, _ edit: (inout Manifest) -> Void = { _ in }) throws -> String {
        var m = try Fixtures.manifest("ha")
        m.middle.server = server
        edit(&m)
        let rendered = StackRenderer(m).renderAll().first { $0.host.name == host }
        return try #require(rendered?.files.first { $0.path.hasSuffix(suffix) }).contents
    }

    @Test func nginxBoundsTheConnectAndPassesASilentWorkersRequestOn() throws {
        let conf = try Self.conf(.nginx, suffix: "nginx.conf")
        #expect(conf.contains("    fastcgi_connect_timeout 2s;\n    fastcgi_next_upstream error timeout;\n"))
        #expect(conf.contains("server \"127.0.2.21:9500\" max_fails=1 fail_timeout=20s;"))
        #expect(!conf.contains("least_conn") && !conf.contains("ip_hash"), "round robin is nginx's own default")
        let tuned = try Self.conf(.nginx, suffix: "nginx.conf") { $0.middle.connectTimeout = 5; $0.middle.retry = 30; $0.middle.balance = .leastConnections }
        #expect(tuned.contains("fastcgi_connect_timeout 5s;"))
        // One shared zone: every nginx worker process learns of a failed server at once.
        #expect(conf.contains("    upstream ha_api {\n        zone ha_api 64k;\n        server"))
        #expect(tuned.contains("    upstream ha_api {\n        least_conn;\n        zone ha_api 64k;\n        server \"127.0.2.21:9500\" max_fails=1 fail_timeout=30s;"))
        #expect(NginxRenderer.zone("ha_api", servers: 16) == "        zone ha_api 64k;\n")
        #expect(NginxRenderer.zone("ha_api", servers: 64) == "        zone ha_api 192k;\n")
        #expect(try Self.conf(.nginx, suffix: "nginx.conf") { $0.middle.balance = .clientAddress }.contains("        ip_hash;\n"))
        #expect(try Self.conf(.nginx, suffix: "nginx.conf") { $0.middle.balance = .url }.contains("        hash $uri consistent;\n"))
    }

    @Test func lighttpdRoundRobinsAndBoundsEachBackend() throws {
        let conf = try Self.conf(.lighttpd, suffix: "lighttpd.conf")
        #expect(conf.contains("fastcgi.balance = \"round-robin\"\n"))
        // lighttpd waits 2 s past its own setting: 2 s in the manifest is its 1 (its shortest).
        #expect(conf.contains(#""api-w1-0" => ( "host" => "127.0.2.21", "port" => 9500, "check-local" => "disable", "connect-timeout" => 1, "disable-time" => 20 )"#))
        let tuned = try Self.conf(.lighttpd, suffix: "lighttpd.conf") { $0.middle.connectTimeout = 5; $0.middle.retry = 30; $0.middle.balance = .clientAddress }
        #expect(tuned.contains("fastcgi.balance = \"sticky\"\n"))
        #expect(tuned.contains(#""connect-timeout" => 3, "disable-time" => 30"#))
        #expect(LighttpdRenderer.connectSetting(1) == 1 && LighttpdRenderer.connectSetting(10) == 8)
    }

    @Test func workersAreInterleavedByHostSoTheNextPickIsAnotherHost() throws {
        let conf = try Self.conf(.nginx, suffix: "nginx.conf")
        let servers = conf.split(separator: "\n").filter { $0.contains("server \"127.0.2.") }.map { $0.split(separator: "\"")[1] }
        #expect(servers == ["127.0.2.21:9500", "127.0.2.11:9500", "127.0.2.21:9501", "127.0.2.11:9501", "127.0.2.21:9502", "127.0.2.11:9502"])
        let lighttpd = try Self.conf(.lighttpd, suffix: "lighttpd.conf")
        let labels = lighttpd.split(separator: "\n").filter { $0.contains("\"api-") }.map { $0.split(separator: "\"")[1] }
        #expect(labels == ["api-w1-0", "api-m1-0", "api-w1-1", "api-m1-1", "api-w1-2", "api-m1-2"])
    }

    @Test func apacheBoundsTheConnectToEachMiddleHostAndLoadsItsMethod() throws {
        let conf = try Self.conf(.lighttpd, host: "f1", suffix: "apache2.conf")
        #expect(conf.contains("BalancerMember \"http://127.0.2.11:8000\" connectiontimeout=2 timeout=60 retry=10 disablereuse=On\n"))
        #expect(conf.contains("ProxySet lbmethod=byrequests\n") && conf.contains("LoadModule lbmethod_byrequests_module"))
        let tuned = try Self.conf(.lighttpd, host: "f1", suffix: "apache2.conf") { $0.front.connectTimeout = 4; $0.front.balance = .leastConnections }
        #expect(tuned.contains("connectiontimeout=4 timeout=60 retry=10"))
        #expect(tuned.contains("ProxySet lbmethod=bybusyness\n") && tuned.contains("LoadModule lbmethod_bybusyness_module \"/usr/lib/apache2/modules/mod_lbmethod_bybusyness.so\""))
        #expect(!tuned.contains("lbmethod_byrequests"))
        // A lone middle host is never left out: there is no other to fail over to.
        let lone = try Self.conf(.lighttpd, host: "f1", suffix: "apache2.conf") { $0.middle.hosts = ["m1"] }
        #expect(lone.contains("ProxyPass \"/\" \"http://127.0.2.11:8000/\" connectiontimeout=2 timeout=60 retry=0 disablereuse=On\n"))
    }

    @Test func eachTierOffersOnlyTheMethodsItsServerHas() {
        #expect(Fixtures.problems(BadManifestCases.replacing(9, with: "  hosts: [a]\n  balance: traffic")) == [
            "10:12: middle.balance: nginx does not balance by 'traffic' (one of: round_robin, least_connections, client_address, url)",
        ])
        #expect(Fixtures.problems(BadManifestCases.replacing(6, with: "  hosts: [a]\n  balance: least_connections\n  connect_timeout: 3")).isEmpty)
    }
}
