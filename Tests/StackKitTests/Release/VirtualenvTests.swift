import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// A pool's virtualenv built once by stackctl: shipped to the hosts that lack it, unpacked
/// where the host's interpreter is the one it was built with, relocated to the hosts' path.
@Suite struct VirtualenvTests {
    /// Builds nothing: a fixed bundle, counted.
    final class Fake: VirtualenvMaking {
        let calls = Mutex(0)
        func bundle(_ pool: Pool, _ release: ReleaseArchive, target: String) async throws(ReleaseError) -> VirtualenvBundle? {
            calls.withLock { $0 += 1 }
            #expect(target == "/srv/stackctl/shop/pools/main/venvs/" + release.requirementsHash)
            return VirtualenvBundle(hash: release.requirementsHash, python: "3.11.2 linux-x86_64", tarGz: Array("venv-bytes".utf8))
        }
    }

    @Test func onlyTheHostsWithoutTheVirtualenvGetItAndItIsBuiltOnce() async throws {
        let hashes = Mutex<[String]>([])
        let (plain, fakes, src) = try RolloutTests.setup(inspect: { host, _ in
            // app2 has the virtualenv already (any release with the same requirements).
            let have = host == "app2" ? hashes.withLock { $0.first.map { "@venvs main \($0)\n" } ?? "" } : ""
            return "@manager up\n" + (host.hasPrefix("app") ? "@release main 000000000old\n" + have : "")
        })
        defer { try? FileManager.default.removeItem(at: src) }
        let pool = try #require(plain.manifest.pool(named: "main"))
        let release = try await ReleaseBuilder.build(pool)
        hashes.withLock { $0 = [release.requirementsHash] }
        var deployer = plain
        let fake = Fake()
        deployer.virtualenvs = fake
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fake.calls.withLock { $0 } == 1)
        let payload = Data("venv-bytes".utf8).base64EncodedString()
        let app1 = String(decoding: try #require(fakes["app1"]!.commands.first { $0.phase == .prepare }).stdin, as: UTF8.self)
        let app2 = String(decoding: try #require(fakes["app2"]!.commands.first { $0.phase == .prepare }).stdin, as: UTF8.self)
        #expect(app1.contains(payload) && app1.contains("= '3.11.2 linux-x86_64' ]; then") && app1.contains("how=shipped"))
        #expect(!app2.contains(payload), "app2 has it")
        // Without a builder (the engine's default) every host builds its own, as before.
        let (bareDeployer, bare, src2) = try RolloutTests.setup()
        defer { try? FileManager.default.removeItem(at: src2) }
        #expect(await bareDeployer.rollout(pool: "main", target: .newRelease).ok)
        #expect(bare.values.allSatisfy { !$0.commands.contains { String(decoding: $0.stdin, as: UTF8.self).contains("how=shipped") } })
    }

    @Test func thePrepareScriptUnpacksOnlyForTheSameInterpreter() throws {
        let m = try Fixtures.manifest("full")
        let plan = try #require(HostPlan.all(m).first { $0.host.name == "app1" })
        var pool = try #require(m.pool(named: "main"))
        pool.source = ReleaseSource(path: "/x")
        let release = ReleaseArchive(id: "abc123abc123", tarGz: [1, 2], requirementsHash: "0123456789ab", fileCount: 1)
        let bundle = VirtualenvBundle(hash: "0123456789ab", python: "3.11.2 linux-x86_64", tarGz: [3, 4])
        let with = Scripts.prepare(pool, release, plan, venv: bundle).text
        #expect(with.contains("if [ \"$(/usr/bin/python3 -I -c 'import sys, sysconfig; print("))
        #expect(with.contains("tar -xzf - -C /srv/stackctl/shop/pools/main/venvs/0123456789ab.tmp"))
        #expect(with.contains("mv /srv/stackctl/shop/pools/main/venvs/0123456789ab.tmp /srv/stackctl/shop/pools/main/venvs/0123456789ab && how=shipped"))
        // The host's own pip only when nothing was unpacked.
        #expect(with.contains("if [ ! -d /srv/stackctl/shop/pools/main/venvs/0123456789ab ]; then\n    how=built"))
        let without = Scripts.prepare(pool, release, plan).text
        #expect(!without.contains("how=shipped") && without.contains("how=built"))
        #expect(PrepareReply(ScriptOutput("@prepared abc123abc123 shipped\n")).venv == "shipped")
        #expect(PrepareReply(ScriptOutput("@prepared abc123abc123 already\n")).already)
        #expect(HostState.parse("@venvs main 0123456789ab\n@venvs main ffffffffffff\n").venvs == ["main": ["0123456789ab", "ffffffffffff"]])
    }

    @Test func aVirtualenvIsMovedToTheHostsPath() throws {
        let dir = try Fixtures.temporaryDirectory("venv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let venv = dir.appendingPathComponent("venv").path
        try FileManager.default.createDirectory(atPath: venv + "/bin", withIntermediateDirectories: true)
        try "#!\(venv)/bin/python3\nimport pip\n".write(toFile: venv + "/bin/pip", atomically: true, encoding: .utf8)
        chmod(venv + "/bin/pip", 0o755)
        try "VIRTUAL_ENV=\"\(venv)\"\n".write(toFile: venv + "/bin/activate", atomically: true, encoding: .utf8)
        try "home = /usr/bin\ncommand = /usr/bin/python3 -m venv \(venv)\n".write(toFile: venv + "/pyvenv.cfg", atomically: true, encoding: .utf8)
        try VirtualenvBuilder.relocate(venv, to: "/srv/stackctl/shop/pools/main/venvs/abc")
        #expect(try String(contentsOfFile: venv + "/bin/pip", encoding: .utf8) == "#!/srv/stackctl/shop/pools/main/venvs/abc/bin/python3\nimport pip\n")
        #expect(FileManager.default.isExecutableFile(atPath: venv + "/bin/pip"), "its mode kept")
        #expect(try String(contentsOfFile: venv + "/bin/activate", encoding: .utf8).contains("/srv/stackctl/shop/pools/main/venvs/abc"))
        #expect(try String(contentsOfFile: venv + "/pyvenv.cfg", encoding: .utf8).hasSuffix("-m venv /srv/stackctl/shop/pools/main/venvs/abc\n"))
    }
}

extension VirtualenvTests {
    /// This machine's pip fills the virtualenv where it can (`--python`); an interpreter with no
    /// pip of its own cannot, and the builder falls back to ensurepip in the virtualenv.
    @Test(.needs("python3")) func anOuterPipIsUsedOnlyWhereThereIsOne() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outer-pip-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try await ProcessRunner.run(["/usr/bin/python3", "-m", "venv", "--without-pip", dir], stdin: [], timeout: .seconds(60))
        #expect(made.status == 0, "\(made.stderrText)")
        #expect(await VirtualenvBuilder.outerPip(dir + "/bin/python") == false)
        let pip = try await ProcessRunner.run(["/usr/bin/python3", "-m", "pip", "--version"], stdin: [], timeout: .seconds(60))
        let version = pip.stdoutText.split(separator: " ").dropFirst().first.map { $0.split(separator: ".").compactMap { Int($0) } } ?? []
        #expect(await VirtualenvBuilder.outerPip("/usr/bin/python3") == (pip.status == 0 && version.count >= 2 && (version[0], version[1]) >= (22, 3)))
    }
}
