import Foundation
import Testing
@testable import StackKit
import StackKitTesting

@Suite struct ReleaseTests {
    static func source(_ files: [String: String]) throws -> URL {
        let dir = try Fixtures.temporaryDirectory("src")
        for (path, text) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static func pool(_ dir: URL, ref: String? = nil) -> Pool {
        var p = Pool(name: "main", entry: .callable(module: "hello", attribute: "application"), directory: "/x")
        p.source = ReleaseSource(path: dir.path, ref: ref)
        return p
    }

    @Test func theIdFollowsTheContentAndSkipsCaches() async throws {
        let a = try Self.source(["hello.py": "x = 1\n", "requirements.txt": "flup==1.0.3\n"])
        let b = try Self.source(["hello.py": "x = 1\n", "requirements.txt": "flup==1.0.3\n", "__pycache__/hello.pyc": "junk", ".git/HEAD": "ref"])
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let ra = try await ReleaseBuilder.build(Self.pool(a)), rb = try await ReleaseBuilder.build(Self.pool(b))
        #expect(ra.id == rb.id && ra.id.count == 12 && ra.fileCount == 2)
        #expect(ra.requirementsHash == rb.requirementsHash)
        try "x = 2\n".write(to: a.appendingPathComponent("hello.py"), atomically: true, encoding: .utf8)
        let changed = try await ReleaseBuilder.build(Self.pool(a))
        #expect(changed.id != ra.id && changed.requirementsHash == ra.requirementsHash, "code-only change: same virtualenv")
        let listing = try Run.run(["/bin/sh", "-c", "printf '%s' \"$0\" | base64 -d | tar -tzf - | sort", Data(changed.tarGz).base64EncodedString()])
        #expect(listing.stdout.split(separator: "\n") == ["./", "./hello.py", "./requirements.txt"])
    }

    /// The middle's Last-Modified and ETag come from a file's time: static files keep theirs.
    @Test func staticFilesKeepTheirTimesCodeGetsAFixedOne() async throws {
        let dir = try Self.source(["app.css": "a {}\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let shipped = ShippedStatic(key: "middle.static.root", name: "root", source: ReleaseSource(path: dir.path))
        let times = { (archive: ReleaseArchive) throws -> String in
            try Run.run(["/bin/sh", "-c", "printf '%s' \"$0\" | base64 -d | tar -tvzf - ./app.css | awk '{print $4}'", Data(archive.tarGz).base64EncodedString()]).stdout
        }
        #expect(try times(try await ReleaseBuilder.build(shipped)) != "1970-01-01\n")
        #expect(try times(try await ReleaseBuilder.build(Self.pool(dir))) == "1970-01-01\n")
        #expect(try await ReleaseBuilder.build(shipped).requirementsHash == "", "no virtualenv for static files")
    }

    @Test func aGitRefShipsThatRefAndItsIdIsItsTree() async throws {
        let dir = try Self.source(["hello.py": "v = 1\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let git = { (args: [String]) throws -> Run in try Run.run(["/usr/bin/git", "-C", dir.path, "-c", "user.email=t@t", "-c", "user.name=t"] + args) }
        _ = try git(["init", "-q"]); _ = try git(["add", "."]); _ = try git(["commit", "-qm", "one"]); _ = try git(["tag", "v1"])
        try "v = 2\n".write(to: dir.appendingPathComponent("hello.py"), atomically: true, encoding: .utf8)
        let v1 = try await ReleaseBuilder.build(Self.pool(dir, ref: "v1"))
        let again = try await ReleaseBuilder.build(Self.pool(dir, ref: "v1"))
        #expect(v1.id == again.id && v1.fileCount == 1)
        await #expect(throws: ReleaseError.self) { try await ReleaseBuilder.build(Self.pool(dir, ref: "no-such-ref")) }
    }

    /// A link that leads out of a shipped static directory is refused, as a directory or as a git
    /// ref; a link that stays inside ships as a link.
    @Test func aStaticDirectoryWithALinkOutOfItIsRefused() async throws {
        let dir = try Self.source(["site.css": "a {}\n", "img/logo.svg": "<svg/>"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("style.css").path, withDestinationPath: "site.css")
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("img/up.css").path, withDestinationPath: "../site.css")
        let shipped = ShippedStatic(key: "middle.static.aliases./s/", name: "s", source: ReleaseSource(path: dir.path))
        #expect(try await ReleaseBuilder.build(shipped).fileCount == 2, "links inside it ship")
        for (name, target) in [("passwd", "/etc/passwd"), ("img/escape", "../../outside.txt"), ("etc", "/etc")] {
            try fm.createSymbolicLink(atPath: dir.appendingPathComponent(name).path, withDestinationPath: target)
            await #expect(throws: ReleaseError.linkOut(source: dir.path, link: name, target: target)) { try await ReleaseBuilder.build(shipped) }
            try fm.removeItem(atPath: dir.appendingPathComponent(name).path)
        }
        let git = { (args: [String]) throws -> Run in try Run.run(["/usr/bin/git", "-C", dir.path, "-c", "user.email=t@t", "-c", "user.name=t"] + args) }
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("passwd").path, withDestinationPath: "/etc/passwd")
        _ = try git(["init", "-q"]); _ = try git(["add", "."]); _ = try git(["commit", "-qm", "one"])
        try fm.removeItem(atPath: dir.appendingPathComponent("passwd").path)
        let atRef = ShippedStatic(key: "middle.static.aliases./s/", name: "s", source: ReleaseSource(path: dir.path, ref: "HEAD"))
        await #expect(throws: ReleaseError.linkOut(source: "\(dir.path) at HEAD", link: "passwd", target: "/etc/passwd")) { try await ReleaseBuilder.build(atRef) }
    }

    @Test func aSourcedPoolRunsFromItsCurrentRelease() throws {
        let yaml = BadManifestCases.valid.replacingOccurrences(of: "    directory: /srv/app\n", with: "    source: /tmp\n    keep_releases: 3\n")
        let pool = try #require(try ManifestLoader.parse(yaml).pool(named: "main"))
        #expect(pool.source == ReleaseSource(path: "/tmp") && pool.keepReleases == 3)
        #expect(pool.directory == "/srv/stackctl/shop/pools/main/current" && pool.python == "/srv/stackctl/shop/pools/main/current/venv/bin/python")
        #expect(Fixtures.problems(yaml.replacingOccurrences(of: "    source: /tmp\n", with: "    source: /tmp\n    directory: /srv/app\n"))
            == ["16:16: pools.main.directory: 'directory' comes from the release when 'source' is given; leave it out"])
        #expect(Fixtures.problems(BadManifestCases.appending("    ref: v1")) == ["17:10: pools.main.ref: 'ref' needs 'source'"])
    }

    @Test func aMissingSourceDirectoryIsReportedWhenLoadingAFile() throws {
        let dir = try Fixtures.temporaryDirectory("m")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("deploy.yml")
        try BadManifestCases.valid.replacingOccurrences(of: "    directory: /srv/app\n", with: "    source: app\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ManifestError.self) { try ManifestLoader.load(file: file.path) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("app"), withIntermediateDirectories: true)
        #expect(try ManifestLoader.load(file: file.path).pool(named: "main")?.source?.path == dir.appendingPathComponent("app").standardizedFileURL.path)
    }

    @Test(arguments: MiddleServer.allCases)
    func aDrainedHostLeavesTheMiddleConfigOnly(server: MiddleServer) throws {
        var m = try Fixtures.manifest("full")
        m.middle.server = server
        let drained = StackRenderer(m, drained: ["main@app1"]).renderAll()
        let normal = StackRenderer(m).renderAll()
        let conf = { (hosts: [HostRender]) in hosts.first { $0.host.name == "web" }!.files.first { $0.path.hasSuffix("\(server.rawValue).conf") }!.contents }
        #expect(conf(normal).contains("127.0.1.21") && !conf(drained).contains("127.0.1.21") && conf(drained).contains("127.0.1.22"))
        // Worker hosts' own files do not change.
        #expect(drained.first { $0.host.name == "app1" } == normal.first { $0.host.name == "app1" })
    }

    @Test func theSwitchIsAnAtomicRenameAndRecordsThePreviousRelease() throws {
        let renderer = StackRenderer(try Fixtures.manifest("ha"))
        let plan = HostPlan(renderer.renderAll().first { $0.host.name == "w1" }!, topology: renderer.topology)
        let pool = renderer.manifest.pools[0]
        let s = Scripts.switchRelease(pool, to: "abc123def456", plan).text
        #expect(s.contains("ln -sfn releases/abc123def456 /srv/stackctl/ha/pools/api/current.new && mv -T /srv/stackctl/ha/pools/api/current.new /srv/stackctl/ha/pools/api/current"))
        #expect(s.contains("printf '%s\\n' \"$old\" > /srv/stackctl/ha/pools/api/previous"))
        #expect(Scripts.switchRelease(pool, to: "a", plan, previous: .some(nil)).text.contains("rm -f /srv/stackctl/ha/pools/api/previous"))
        #expect(Scripts.switchRelease(pool, to: "a", plan, previous: .some("b")).text.contains("printf '%s\\n' b > /srv/stackctl/ha/pools/api/previous"))
        #expect(Scripts.waitDrained(pool, plan, timeout: 2).text.contains("ss -Htn state established '( src 127.0.2.21:9500 or src 127.0.2.21:9501 or src 127.0.2.21:9502 )'"))
    }
}
