import Foundation
import Testing
@testable import StackKit

@Suite struct ManifestDecodingTests {
    @Test func defaultsFillWhatTheManifestLeavesOut() throws {
        let m = try Fixtures.manifest("small")
        #expect(m.base == "/srv/stackctl/tiny")
        #expect(m.hosts == [Host(name: "box", address: "127.0.0.1", local: true, processManager: .systemd)])
        #expect(m.front.port == 8080 && m.front.user == "www-data" && m.front.scheme == "http")
        #expect(m.middle.aliases == [StaticAlias(url: "/static/", directory: "/srv/tiny/static/")])
        let pool = try #require(m.pool(named: "web"))
        #expect(pool.python == "/usr/bin/python3")
        #expect(pool.server == .threaded(minSpare: 1, maxSpare: 5, maxThreads: nil))
        #expect(pool.instances == 1 && pool.socket == .auto && pool.port == 9000)
        #expect(pool.health == HealthCheck(path: "/", timeout: 30))
    }

    @Test func fullManifestDecodesEveryKind() throws {
        let m = try Fixtures.manifest("full")
        #expect(m.host(named: "app1") == Host(name: "app1", address: "127.0.1.21", sshUser: "deploy", sshPort: 2222, processManager: .systemd))
        #expect(m.host(named: "web")?.processManager == .supervisord)
        // Trailing slashes are dropped from route prefixes, added to alias prefixes.
        #expect(m.middle.routes.map(\.prefix) == ["/", "/admin", "/api/v2"])
        #expect(m.middle.aliases.map(\.url) == ["/static/", "/media/", "/admin/assets/"])
        #expect(m.middle.mimeTypes == ["webmanifest": "application/manifest+json", "log": "text/plain"])
        #expect(m.middle.staticHealth == HealthCheck(path: "/static/health.txt", timeout: 20))
        let main = try #require(m.pool(named: "main"))
        #expect(main.python == "/srv/shop/venv/bin/python")
        #expect(main.environment.map(\.0) == ["DJANGO_SETTINGS_MODULE", "MOTTO"])
        #expect(main.health.timeout == 15)
        let admin = try #require(m.pool(named: "admin"))
        #expect(admin.entry == .paste(path: "/srv/shop/admin.ini", name: "admin"))
        #expect(admin.server == .prefork(minSpare: 1, maxSpare: 4, maxChildren: 20, maxRequests: 500))
        #expect(admin.port == 9100)
    }

    @Test func socketsAreUnixOnlyBesideTheMiddleServer() throws {
        let t = Topology(try Fixtures.manifest("full"))
        let admin = try #require(t.manifest.pool(named: "admin")), main = try #require(t.manifest.pool(named: "main"))
        #expect(t.workers(of: admin).map(\.endpoint) == [.unix(path: "/srv/stackctl/shop/run/admin/0.sock")])
        #expect(t.workers(of: main).map(\.endpoint) == [
            .tcp(address: "127.0.1.21", port: 9000), .tcp(address: "127.0.1.21", port: 9001),
            .tcp(address: "127.0.1.22", port: 9000), .tcp(address: "127.0.1.22", port: 9001),
        ])
    }

    /// TurboGears deploys with `paste: production.ini`: for a pool with `source` a relative
    /// file is the release's own, found through the `current` link.
    @Test func aRelativePasteFileIsTheReleasesOwn() throws {
        let src = try Fixtures.temporaryDirectory("paste")
        defer { try? FileManager.default.removeItem(at: src) }
        try "[app:main]\n".write(to: src.appendingPathComponent("production.ini"), atomically: true, encoding: .utf8)
        func manifest(_ pool: String) -> String {
            BadManifestCases.valid.replacingOccurrences(of: "    wsgi: app:application\n    directory: /srv/app\n", with: pool)
        }
        let sourced = manifest("    paste: production.ini#web\n    source: \(src.path)\n")
        #expect(try ManifestLoader.parse(sourced, sourceBase: "/").pool(named: "main")?.entry
            == .paste(path: "/srv/stackctl/shop/pools/main/current/production.ini", name: "web"))
        let missing = manifest("    paste: conf/production.ini\n    source: \(src.path)\n")
        let problems = { (yaml: String) in
            do throws(ManifestError) { _ = try ManifestLoader.parse(yaml, sourceBase: "/"); return [String]() } catch { return error.diagnostics.map(\.description) }
        }
        #expect(problems(missing).contains { $0.hasSuffix("pools.main.paste: no file 'conf/production.ini' in source '\(src.path)'") }, "\(problems(missing))")
        let codeOnHost = manifest("    paste: production.ini\n    directory: /srv/app\n")
        #expect(Fixtures.problems(codeOnHost).contains { $0.contains("pools.main.paste: a relative Paste Deploy file 'production.ini' is in a release: it needs 'source'") },
                "\(Fixtures.problems(codeOnHost))")
    }

    @Test func durationsAcceptSecondsAndMilliseconds() throws {
        for (text, seconds) in [("10", 10.0), ("2.5", 2.5), ("10s", 10), ("500ms", 0.5), ("10m", 600)] {
            let yaml = BadManifestCases.valid + "\n    health: { timeout: \(text) }"
            #expect(try ManifestLoader.parse(yaml).pool(named: "main")?.health.timeout == seconds)
        }
        #expect(Fixtures.problems(BadManifestCases.valid + "\n    health: { timeout: soon }")
            == ["17:24: pools.main.health.timeout: expected a duration such as 10, 10s, 500ms or 10m (at most 1 hour), found 'soon'"])
    }

    @Test func theShippedExamplesAreValid() throws {
        for file in ["deploy.yml.example", "examples/multi-host.yml", "examples/django.yml", "examples/flask.yml"] {
            let text = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent(file), encoding: .utf8)
            #expect(throws: Never.self, "\(file)") { try ManifestLoader.parse(text) }
        }
    }

    @Test func theEmbeddedExampleIsDeployYmlExample() throws {
        let file = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("deploy.yml.example"), encoding: .utf8)
        #expect(ExampleManifest.text == file, "regenerate Sources/StackKit/Manifest/ExampleManifest.swift with scripts/sync-example")
    }

    /// The README's walkthroughs show the very files their end-to-end tests deploy.
    @Test func theWalkthroughsShowTheirExamplesWordForWord() throws {
        let readme = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for (heading, file) in [("## Deploying a Django project", "examples/django.yml"), ("## Deploying a Flask app", "examples/flask.yml")] {
            let text = try String(contentsOf: Fixtures.repoRoot.appendingPathComponent(file), encoding: .utf8)
            let section = try #require(readme.range(of: heading).map { readme[$0.upperBound...] })
            let shown = section.range(of: "```yaml\n").flatMap { start in section[start.upperBound...].range(of: "```\n").map { section[start.upperBound..<$0.lowerBound] } }
            #expect(shown.map(String.init) == text, "\(heading) shows \(file) as it is")
        }
    }
}
