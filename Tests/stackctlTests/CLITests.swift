import Foundation
import Testing

/// The stackctl binary, run the way a user runs it.
@Suite struct CLITests {
    static let repo: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url
    }()

    static var binary: String {
        ProcessInfo.processInfo.environment["STACKCTL_BIN"] ?? repo.appendingPathComponent(".build/debug/stackctl").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `environment`: variables added to the test's own (secrets for `from_env`).
    static func stackctl(_ args: [String], in dir: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        if let dir { p.currentDirectoryURL = dir }
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        return try collect(p)
    }

    /// Runs a short-lived process with its output in files (no pipe can fill up).
    static func collect(_ p: Process) throws -> Result {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: tmp.path + ".out", contents: nil)
        FileManager.default.createFile(atPath: tmp.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: tmp.path + ".out")
            try? FileManager.default.removeItem(atPath: tmp.path + ".err")
        }
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp.path + ".out"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp.path + ".err"))
        try p.run()
        p.waitUntilExit()
        return Result(status: p.terminationStatus,
                      stdout: try String(contentsOfFile: tmp.path + ".out", encoding: .utf8),
                      stderr: try String(contentsOfFile: tmp.path + ".err", encoding: .utf8))
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stackctl-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func validateAcceptsTheExample() throws {
        let r = try Self.stackctl(["validate", "-f", Self.repo.appendingPathComponent("deploy.yml.example").path])
        #expect(r.status == 0)
        #expect(r.stdout.hasSuffix("deploy.yml.example: valid: stack 'demo', 1 hosts, nginx middle, 2 pools, 3 workers\n"))
    }

    @Test func validateReportsEveryProblemAsFileLineColumnAndExitsOne() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = """
        name: shop
        hosts:
          a: { address: 127.0.3.1 }
        front:
          hosts: [a]
          prot: 80
        middle:
          server: ngnix
          hosts: [a]
          static: { root: /srv/static }
          routes: { /: main }
        pools:
          main:
            wsgi: app:application
            directory: /srv/app
            hosts: [b]
        """
        try bad.write(to: dir.appendingPathComponent("deploy.yml"), atomically: true, encoding: .utf8)
        let r = try Self.stackctl(["validate"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr == """
        deploy.yml:6:3: front.prot: unknown key 'prot' (did you mean 'port'?)
        deploy.yml:8:11: middle.server: unknown value 'ngnix' (did you mean 'nginx'?)
        deploy.yml:16:13: pools.main.hosts[0]: unknown host 'b' (defined hosts: a)
        deploy.yml: 3 problems found

        """)
    }

    @Test func aMissingFileIsExit66WithAHint() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.stackctl(["validate"], in: dir)
        #expect(r.status == 66)
        #expect(r.stderr == "deploy.yml: no such file; run 'stackctl init' to write an example manifest, or pass -f FILE\n")
    }

    @Test func initWritesTheExampleOnceAndItValidates() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.stackctl(["init"], in: dir).status == 0)
        let written = try String(contentsOf: dir.appendingPathComponent("deploy.yml"), encoding: .utf8)
        let example = try String(contentsOf: Self.repo.appendingPathComponent("deploy.yml.example"), encoding: .utf8)
        // The build directory's binary has no installed schema: the schema line is left out.
        #expect(written == example.replacingOccurrences(of: "{ source: examples/static }", with: "{ source: static }")
            .replacingOccurrences(of: "# yaml-language-server: $schema=schema/deploy.schema.json\n", with: ""))
        for name in ["health.txt", "site.css"] {
            #expect(try Data(contentsOf: dir.appendingPathComponent("static/\(name)")) == Data(contentsOf: Self.repo.appendingPathComponent("examples/static/\(name)")))
        }
        #expect(try Self.stackctl(["validate"], in: dir).status == 0)
        let again = try Self.stackctl(["init"], in: dir)
        #expect(again.status == 73 && again.stderr == "deploy.yml already exists; not overwriting it\n")
    }

    /// A secret whose text is also an ordinary value (here the middle's address) leaves every
    /// rendered config but pool.json byte for byte as it is without secrets; pool.json shows
    /// the secret's name, never its value.
    @Test func renderHidesSecretsOnlyWhereTheyAre() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try String(contentsOf: Self.repo.appendingPathComponent("examples/multi-host.yml"), encoding: .utf8)
        try base.replacingOccurrences(of: "env: { APP_GREETING: hello from main }", with: "env: { APP_GREETING: { from_env: STACKCTL_TEST_SECRET } }")
            .write(to: dir.appendingPathComponent("secret.yml"), atomically: true, encoding: .utf8)
        try base.replacingOccurrences(of: "env: { APP_GREETING: hello from main }", with: "env: { APP_GREETING: plain }")
            .write(to: dir.appendingPathComponent("plain.yml"), atomically: true, encoding: .utf8)
        #expect(try Self.stackctl(["render", "-f", "secret.yml", "--out", "s"], in: dir, environment: ["STACKCTL_TEST_SECRET": "127.0.0.12"]).status == 0)
        #expect(try Self.stackctl(["render", "-f", "plain.yml", "--out", "p"], in: dir).status == 0)
        let root = dir.appendingPathComponent("s").path
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { file in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + file, isDirectory: &isDir) && !isDir.boolValue
        }
        var compared = 0
        for file in files {
            let secret = try Data(contentsOf: dir.appendingPathComponent("s/" + file)), plain = try Data(contentsOf: dir.appendingPathComponent("p/" + file))
            if file.hasSuffix("pools/main/pool.json") {
                let text = String(decoding: secret, as: UTF8.self)
                #expect(text.contains("[secret main.APP_GREETING]") && !text.contains("127.0.0.12\""), "\(text)")
            } else {
                #expect(secret == plain, "\(file) differs with a secret")
                compared += 1
            }
        }
        #expect(compared > 5)
    }

    /// A symbolic link planted inside the output directory (by whoever else may write there) is
    /// never written through, at a directory or at a file: 73, and its target untouched.
    @Test func renderWritesNothingThroughALinkInItsOutput() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = Self.repo.appendingPathComponent("examples/multi-host.yml").path
        let victim = dir.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out/front1"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("out/front1/srv").path, withDestinationPath: victim.path)
        let r = try Self.stackctl(["render", "-f", manifest, "--out", "out", "--host", "front1"], in: dir)
        #expect(r.status == 73 && r.stderr == "cannot write under out: \(dir.standardizedFileURL.path)/out/front1/srv is a symbolic link; render writes nothing through one\n", "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty)

        // A file-level link, in an output without render's marker (it would be replaced whole).
        try FileManager.default.removeItem(atPath: dir.appendingPathComponent("out/front1/srv").path)
        try FileManager.default.removeItem(atPath: dir.appendingPathComponent("out/front1/.stackctl-render").path)
        let file = dir.appendingPathComponent("out/front1/srv/stackctl/shop/front/apache2.conf")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: victim.appendingPathComponent("passwd").path)
        let again = try Self.stackctl(["render", "-f", manifest, "--out", "out", "--host", "front1"], in: dir)
        #expect(again.status == 73 && again.stderr.contains("apache2.conf is a symbolic link"), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: victim.appendingPathComponent("passwd").path))
    }

    /// A from_env secret that is not UTF-8 is refused, as a from_file one is: Foundation would
    /// hand the app U+FFFD in place of its bytes.
    @Test func aSecretFromTheEnvironmentMustBeUTF8() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try (try String(contentsOf: Self.repo.appendingPathComponent("examples/multi-host.yml"), encoding: .utf8))
            .replacingOccurrences(of: "env: { APP_GREETING: hello from main }", with: "env: { APP_GREETING: { from_env: STACKCTL_TEST_SECRET } }")
            .write(to: dir.appendingPathComponent("deploy.yml"), atomically: true, encoding: .utf8)
        let r = try Self.capture(["/bin/bash", "-c", "cd \(dir.path) && STACKCTL_TEST_SECRET=$'pass\\xffword99' exec \(Self.binary) render --out r"])
        #expect(r.status == 1 && r.stderr.contains("pools.main.env.APP_GREETING.from_env: the environment variable STACKCTL_TEST_SECRET is not UTF-8 text"), "\(r.stderr)")
    }

    /// An output that cannot be written is 73 with a plain message, never Foundation's error domain.
    @Test func initWhereItCannotWriteSaysWhyInPlainWords() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try Self.stackctl(["init", "-f", "nowhere/deploy.yml"], in: dir)
        #expect(missing.status == 73 && missing.stderr == "cannot write nowhere/deploy.yml: no directory \(dir.path)/nowhere\n", "\(missing.stderr)")
        let blocked = dir.appendingPathComponent("blocked")
        try "not a directory".write(to: blocked, atomically: true, encoding: .utf8)
        let notDir = try Self.stackctl(["init", "-f", "blocked/deploy.yml"], in: dir)
        #expect(notDir.status == 73 && !notDir.stderr.contains("NSCocoaErrorDomain"), "\(notDir.stderr)")
    }

    @Test func renderWritesEachHostsFilesAtTheirPathsAndIsByteIdentical() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = Self.repo.appendingPathComponent("examples/multi-host.yml").path
        let first = try Self.stackctl(["render", "-f", manifest, "--out", "a"], in: dir)
        #expect(first.status == 0)
        let listed = first.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        // 13 files for the tiers, each host's supervisord, and its two supervisord boot units
        // (written by `up` only where PID 1 is systemd).
        #expect(listed.count == 28)
        #expect(listed.filter { $0[3] == "/srv/stackctl/shop/supervisor/supervisord" && $0[1] == "755" }.count == 5)
        #expect(listed.filter { $0[3] == "/etc/systemd/system/shop-supervisord-boot.service" }.count == 5)
        #expect(listed.contains(["middle1", "644", "\(listed.first { $0.last == "/srv/stackctl/shop/middle/lighttpd.conf" }?[2] ?? "?")", "/srv/stackctl/shop/middle/lighttpd.conf"]))
        #expect(listed.contains { $0[0] == "app1" && $0[1] == "755" && $0[3] == "/srv/stackctl/shop/pools/main/launcher.py" })
        for row in listed {
            let path = dir.appendingPathComponent("a/\(row[0])\(row[3])").path
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            #expect(String(size) == row[2], "\(path)")
        }
        #expect(try Self.stackctl(["render", "-f", manifest, "--out", "b"], in: dir).status == 0)
        let diff = try Self.run(["/usr/bin/diff", "-r", dir.appendingPathComponent("a").path, dir.appendingPathComponent("b").path])
        #expect(diff == 0)
    }

    @Test func renderOneHostAndRefuseAnUnknownOne() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = Self.repo.appendingPathComponent("examples/multi-host.yml").path
        let one = try Self.stackctl(["render", "-f", manifest, "--out", "o", "--host", "front1"], in: dir)
        #expect(one.status == 0 && one.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("front1\t") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("o").path) == ["front1"])
        let unknown = try Self.stackctl(["render", "-f", manifest, "--host", "nope"], in: dir)
        #expect(unknown.status == 64)
        #expect(unknown.stderr == "unknown host 'nope'; hosts in \(manifest): front1, middle1, app1, app2, admin1\n")
    }

    @Test func secretsComeFromTheEnvironmentOrAFileAndRenderShowsNeither() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("secrets"), withIntermediateDirectories: true)
        try "file-secret-value\n".write(to: dir.appendingPathComponent("secrets/key"), atomically: true, encoding: .utf8)
        let text = try String(contentsOf: Self.repo.appendingPathComponent("examples/multi-host.yml"), encoding: .utf8)
            .replacingOccurrences(of: "env: { APP_GREETING: hello from main }", with: "env: { DB: { from_env: CLI_TEST_DB }, KEY: { from_file: secrets/key } }")
        try text.write(to: dir.appendingPathComponent("deploy.yml"), atomically: true, encoding: .utf8)
        let unset = try Self.stackctl(["validate"], in: dir)
        #expect(unset.status == 1)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("from_env: CLI_TEST_DB") }! + 1
        #expect(unset.stderr.hasPrefix("deploy.yml:\(line):28: pools.main.env.DB.from_env: the environment variable CLI_TEST_DB is not set"), "\(unset.stderr)")
        let rendered = try Self.stackctl(["render", "--out", "o", "--host", "app1"], in: dir, environment: ["CLI_TEST_DB": "env-secret-value"])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        let json = try String(contentsOf: dir.appendingPathComponent("o/app1/srv/stackctl/shop/pools/main/pool.json"), encoding: .utf8)
        #expect(json.contains("[secret main.DB]") && json.contains("[secret main.KEY]"))
        #expect(!json.contains("secret-value"))
    }

    @Test func reRenderingRemovesFilesAHostNoLongerNeeds() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = Self.repo.appendingPathComponent("examples/multi-host.yml").path
        #expect(try Self.stackctl(["render", "-f", manifest, "--out", "o"], in: dir).status == 0)
        let stale = dir.appendingPathComponent("o/app1/srv/stale.conf")
        try "old".write(to: stale, atomically: true, encoding: .utf8)
        #expect(try Self.stackctl(["render", "-f", manifest, "--out", "o"], in: dir).status == 0)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
    }

    static let env = ProcessInfo.processInfo.environment

    static func capture(_ argv: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        return try collect(p)
    }

    static func waitFor(_ seconds: Double, _ done: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done() { return true }
            usleep(20_000)
        }
        return done()
    }

    static func run(_ argv: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
