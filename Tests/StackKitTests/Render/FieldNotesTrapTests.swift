import Foundation
import Testing
@testable import StackKit

/// One test per rendering trap in ../shared/field-notes.md.
@Suite struct FieldNotesTrapTests {
    static func file(_ fixture: String, _ server: MiddleServer, host: String, suffix: String) throws -> String {
        var m = try Fixtures.manifest(fixture)
        m.middle.server = server
        let rendered = StackRenderer(m).renderAll().first { $0.host.name == host }
        return try #require(rendered?.files.first { $0.path.hasSuffix(suffix) }).contents
    }

    static func lighttpd(_ fixture: String = "full") throws -> String { try file(fixture, .lighttpd, host: fixture == "full" ? "web" : "m1", suffix: "lighttpd.conf") }
    static func nginx(_ fixture: String = "full") throws -> String { try file(fixture, .nginx, host: fixture == "full" ? "web" : "m1", suffix: "nginx.conf") }

    /// The text from `start` to the end of its conditional block.
    static func block(_ conf: String, from start: String) throws -> String {
        let range = try #require(conf.range(of: start))
        return String(conf[range.lowerBound...].prefix { $0 != "}" })
    }

    // MARK: lighttpd

    @Test func lighttpdPrefixMountsAreGuardedSoAppleIsNotApp() throws {
        let conf = try Self.lighttpd()
        #expect(conf.contains(#"$HTTP["url"] =~ "^/admin(/|$)" {"#))
        #expect(conf.contains(#"$HTTP["url"] =~ "^/api/v2(/|$)" {"#))
    }

    @Test func lighttpdKeysNeverEndInASlashEvenWhenTheManifestDoes() throws {
        // full.yml writes the route as "/admin/".
        let conf = try Self.lighttpd()
        #expect(conf.contains(#"fastcgi.server = ( "/admin" => ("#))
        #expect(!conf.contains(#"fastcgi.server = ( "/admin/""#))
    }

    @Test func lighttpdRootMountFixesScriptNameAndDisablesCheckLocal() throws {
        let conf = try Self.lighttpd()
        let rootBlock = try Self.block(conf, from: #"fastcgi.server = ( "/" => ("#)
        #expect(rootBlock.components(separatedBy: #""fix-root-scriptname" => "enable""#).count - 1 == 4)
        #expect(rootBlock.components(separatedBy: #""check-local" => "disable""#).count - 1 == 4)
        // Prefix mounts must not get fix-root-scriptname.
        let adminBlock = try Self.block(conf, from: #""/admin" => ("#)
        #expect(!adminBlock.contains("fix-root-scriptname") && adminBlock.contains(#""check-local" => "disable""#))
    }

    @Test func lighttpdExcludesStaticPrefixesFromEveryRoute() throws {
        let conf = try Self.lighttpd()
        let guardLine = #"$HTTP["url"] !~ "^(/admin/assets/|/media/|/static/)" {"#
        let guardRange = try #require(conf.range(of: guardLine))
        let firstRoute = try #require(conf.range(of: "fastcgi.server"))
        #expect(guardRange.lowerBound < firstRoute.lowerBound)
    }

    @Test func lighttpdLongerRoutesComeLaterSoTheyWin() throws {
        let conf = try Self.lighttpd()
        let order = ["\"/\" => (", "\"/admin\" => (", "\"/api/v2\" => ("].compactMap { conf.range(of: $0)?.lowerBound }
        #expect(order.count == 3 && order == order.sorted())
    }

    @Test func lighttpdAliasesEndInSlashAndLongerKeysComeFirst() throws {
        let conf = try Self.lighttpd()
        #expect(conf.contains("alias.url = (\n  \"/admin/assets/\" => \"/srv/shop/admin-assets/\",\n  \"/static/\" => \"/srv/shop/static/\",\n  \"/media/\" => \"/srv/shop/media/\",\n)"))
    }

    @Test func lighttpdCarriesAFullMimeTable() throws {
        let conf = try Self.lighttpd()
        for (ext, type) in [(".css", "text/css; charset=utf-8"), (".js", "text/javascript; charset=utf-8"), (".svg", "image/svg+xml"),
                            (".woff2", "font/woff2"), (".webmanifest", "application/manifest+json"), (".log", "text/plain")] {
            #expect(conf.contains("\"\(ext)\" => \"\(type)\""), "\(ext)")
        }
        #expect(MimeTypes.table.count >= 80)
    }

    @Test func lighttpdSocketAndHostAreNeverBothGiven() throws {
        for line in try Self.lighttpd().split(separator: "\n") where line.contains("\"socket\"") {
            #expect(!line.contains("\"host\"") && !line.contains("\"port\""))
        }
    }

    @Test func lighttpdTrustsForwardedHeadersOnlyFromTheFront() throws {
        let conf = try Self.lighttpd()
        #expect(conf.contains(#"extforward.forwarder = ( "127.0.1.10" => "trust", "127.0.0.1" => "trust" )"#))
        #expect(conf.contains(#"extforward.headers = ( "X-Forwarded-For", "X-Forwarded-Proto" )"#))
    }

    /// `lighttpd -tt` says nothing about unknown dashed keys: every key and backend option we
    /// emit must be one the installed lighttpd (or the module that reads it) actually knows.
    @Test(.needs("lighttpd")) func lighttpdKnowsEveryKeyWeEmit() throws {
        guard let lighttpd = Run.which("lighttpd") else {
            Issue.record("lighttpd is not installed: the test carries .needs")
            return
        }
        let dir = "/usr/lib/lighttpd"
        let binaries = [lighttpd] + ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".so") }.map { "\(dir)/\($0)" }
        let strings = try binaries.map { String(decoding: try Data(contentsOf: URL(fileURLWithPath: $0)), as: UTF8.self) }.joined(separator: "\n")
        var keys = Set<String>()
        for fixture in ["full", "ha"] {
            for line in try Self.lighttpd(fixture).split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if let eq = trimmed.range(of: " = "), !trimmed.hasPrefix("#"), !trimmed.hasPrefix("$") { keys.insert(String(trimmed[..<eq.lowerBound])) }
                for option in ["socket", "host", "port", "check-local", "fix-root-scriptname"] where trimmed.contains("\"\(option)\" =>") { keys.insert(option) }
            }
        }
        #expect(keys.count >= 20)
        for key in keys.sorted() {
            // C strings end in NUL, so a near-miss such as "server.max-connection" does not match.
            let known = strings.contains(key + "\u{0}")
            #expect(known, "lighttpd does not know the key '\(key)'")
        }
    }

    @Test func lighttpdErrorLogDirectoryIsWritableByTheServerUser() throws {
        let m = try Fixtures.manifest("ha")
        let m1 = StackRenderer(m).renderAll().first { $0.host.name == "m1" }!
        #expect(m1.directories.contains(DirectorySpec(path: "/srv/stackctl/ha/log", owner: "root", group: "www-data", mode: 0o775)))
    }

    // MARK: nginx

    @Test func nginxNeverPoolsConnectionsToFlup() throws {
        let conf = try Self.nginx()
        #expect(!conf.contains("keepalive") && !conf.contains("fastcgi_keep_conn"))
    }

    @Test func nginxSendsItsOwnCompleteParameterListWithOneScriptName() throws {
        let conf = try Self.nginx()
        #expect(!conf.contains("include"))
        let passes = conf.components(separatedBy: "fastcgi_pass ").count - 1
        #expect(conf.components(separatedBy: "fastcgi_param SCRIPT_NAME ").count - 1 == passes)
        #expect(conf.components(separatedBy: "fastcgi_param PATH_INFO ").count - 1 == passes)
        for name in ["REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "QUERY_STRING", "CONTENT_LENGTH"] {
            #expect(conf.components(separatedBy: "fastcgi_param \(name) ").count - 1 == passes, "\(name)")
        }
        #expect(!conf.contains("HTTP_HOST"))
    }

    @Test func nginxSplitsPrefixMountsAndServesTheBarePrefix() throws {
        let conf = try Self.nginx()
        #expect(conf.contains("""
                location = "/admin" {
                    fastcgi_pass shop_admin;
        """))
        #expect(conf.contains("fastcgi_param SCRIPT_NAME \"/admin\";\n            fastcgi_param PATH_INFO \"\";"))
        #expect(conf.contains("""
                location ^~ "/admin/" {
                    fastcgi_split_path_info "^(/admin)(/.*)$";
        """))
        #expect(conf.contains("fastcgi_param SCRIPT_NAME $fastcgi_script_name;\n            fastcgi_param PATH_INFO $fastcgi_path_info;"))
    }

    @Test func nginxRootMountHasEmptyScriptNameAndPathInfoFromTheURI() throws {
        let conf = try Self.nginx()
        #expect(conf.contains("""
                location / {
                    fastcgi_pass shop_main;
        """))
        #expect(conf.contains("fastcgi_param SCRIPT_NAME \"\";\n            fastcgi_param PATH_INFO $uri;"))
    }

    @Test func nginxStaticAliasesWinOverEveryOtherLocation() throws {
        let conf = try Self.nginx()
        for alias in ["/static/", "/media/", "/admin/assets/"] {
            #expect(conf.contains("location ^~ \"\(alias)\" {"), "\(alias)")
        }
    }

    @Test func nginxWithoutARootMountServesOnlyTheStaticRoot() throws {
        let conf = try Self.nginx("ha")
        #expect(conf.contains("root \"/srv/ha/static\";"))
        #expect(conf.contains("location / {\n            try_files $uri $uri/ =404;\n        }"))
    }

    @Test func nginxCustomPrefixHasEveryWritablePath() throws {
        let conf = try Self.nginx()
        for key in ["pid ", "error_log ", "access_log ", "client_body_temp_path ", "proxy_temp_path ", "fastcgi_temp_path ", "uwsgi_temp_path ", "scgi_temp_path "] {
            #expect(conf.contains(key), "\(key)")
        }
    }

    @Test func nginxTypesCarryTheCharsetSeparately() throws {
        let conf = try Self.nginx()
        #expect(conf.contains("\"text/css\" \"css\";"))
        #expect(!conf.contains("charset=utf-8"))
        #expect(conf.contains("charset utf-8;"))
    }

    // MARK: Apache

    @Test func apacheLoadsEveryModuleTheFrontNeeds() throws {
        let conf = try Self.file("full", .nginx, host: "edge", suffix: "apache2.conf")
        for module in ["mpm_event", "authz_core", "authz_host", "proxy", "proxy_http", "proxy_balancer", "lbmethod_byrequests", "slotmem_shm", "headers"] {
            #expect(conf.contains("LoadModule \(module)_module \"/usr/lib/apache2/modules/mod_\(module).so\""), "\(module)")
        }
        for directive in ["ServerRoot ", "PidFile ", "DefaultRuntimeDir ", "Mutex \"file:", "ErrorLog ", "Listen "] {
            #expect(conf.contains("\n" + directive), "\(directive)")
        }
    }

    @Test func apacheBalancesAcrossEveryMiddleHost() throws {
        let conf = try Self.file("ha", .lighttpd, host: "f1", suffix: "apache2.conf")
        #expect(conf.contains("BalancerMember \"http://127.0.2.11:8000\" connectiontimeout=2 timeout=60 retry=10 disablereuse=On"))
        #expect(conf.contains("BalancerMember \"http://127.0.2.12:8000\" connectiontimeout=2 timeout=60 retry=10 disablereuse=On"))
        #expect(conf.contains("ProxyPass \"/\" \"balancer://ha-middle/\"\nProxyPassReverse \"/\" \"balancer://ha-middle/\""))
    }

    @Test func apacheTrustsNoClientForwardedForAndSetsProto() throws {
        let conf = try Self.file("full", .nginx, host: "edge", suffix: "apache2.conf")
        #expect(conf.contains("ProxyPreserveHost On"))
        #expect(conf.contains("RequestHeader unset X-Forwarded-For early"))
        #expect(conf.contains("RequestHeader set X-Forwarded-Proto \"https\""))
    }

    // MARK: flup launcher

    @Test func launcherGuardsAgainstFlupsSocketAndSignalQuirks() throws {
        let launcher = try Self.file("full", .nginx, host: "web", suffix: "launcher.py")
        #expect(launcher.hasPrefix("#!/usr/bin/python3\n"))
        #expect(launcher.contains("umask=0o007"))
        #expect(launcher.contains("another process is already listening on"))
        #expect(launcher.contains("os.chmod(path, 0o660)"))
        #expect(launcher.contains("signal.signal(signal.SIGTERM, self._stop)"))
        #expect(launcher.contains("signal.signal(signal.SIGUSR1, signal.SIG_IGN)"))
        #expect(launcher.contains("multiplexed=False"))
    }

    @Test func staticRootNeverPointsAtProjectFiles() {
        let yaml = BadManifestCases.replacing(10, with: "  static: { root: /srv/app }")
        #expect(Fixtures.problems(yaml) == ["10:19: middle.static.root: static root '/srv/app' would serve the code of pool 'main' (/srv/app) (point it at a directory that holds only static files, apart from code and from 'base')"])
        // Containment both ways: a static folder inside the project is refused too (a symlink
        // or a misplaced file there would be served); the static root is a dedicated directory.
        #expect(Fixtures.problems(BadManifestCases.replacing(10, with: "  static: { root: /srv/app/static }"))
            == ["10:19: middle.static.root: static root '/srv/app/static' lies inside the code of pool 'main' (/srv/app) (point it at a directory that holds only static files, apart from code and from 'base')"])
    }
}
