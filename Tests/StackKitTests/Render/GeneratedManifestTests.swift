import Foundation
import Testing
@testable import StackKit

/// Random valid manifests (`ManifestGenerator`), each rendered for every host and every file
/// put through the check its renderer names (`FileCheck`), run by the real program: `apache2 -t`,
/// `lighttpd -tt` (silence required), `nginx -t`, supervisord's parser (and every program must
/// survive it), `systemd-analyze verify`, the pool's Python. Every generated manifest must also
/// pass the validator. `STACKCTL_GEN_COUNT` and `STACKCTL_GEN_SEED` (or `scripts/generated
/// COUNT SEED`) run a longer series; each manifest's own seed is printed when it fails, and
/// `STACKCTL_GEN_COUNT=1 STACKCTL_GEN_SEED=THAT` replays it alone.
@Suite(.serialized) struct GeneratedManifestTests {
    static let environment = ProcessInfo.processInfo.environment
    static var count: Int { environment["STACKCTL_GEN_COUNT"].flatMap(Int.init) ?? 300 }
    static var seed: UInt64 { environment["STACKCTL_GEN_SEED"].flatMap(UInt64.init) ?? 20_261_122 }

    @Test(.needsTestPython, .needs("apache2", "lighttpd", "nginx", "supervisord", "systemd-analyze")) func everyGeneratedManifestIsValidAndItsServersAcceptEveryRender() throws {
        guard let python = Self.environment["STACKCTL_TEST_PYTHON"], FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("STACKCTL_TEST_PYTHON is not set: the test carries .needsTestPython")
            return
        }
        // A short root: unix socket paths under it must stay within 107 bytes.
        var template = Array("/tmp/sgXXXXXX".utf8CString)
        let root = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var checks = GeneratedChecks(root: root, python: python)
        var hosts = 0
        for i in 0..<Self.count {
            let seed = Self.seed &+ UInt64(i)
            var generator = ManifestGenerator(seed: seed, root: "\(root)/\(i)")
            let yaml = generator.manifest()
            let manifest: Manifest
            do {
                manifest = try ManifestLoader.parse(yaml)
            } catch {
                checks.fail(seed, "the validator refused a generated manifest:\n\(error.description)\n\(yaml)")
                continue
            }
            let renderer = StackRenderer(manifest)
            let renders = renderer.renderAll()
            hosts += renders.count
            try checks.add(seed: seed, yaml: yaml, renders: renders, topology: renderer.topology)
        }
        try checks.run()
        print("generated manifests: \(Self.count) from seed \(Self.seed), \(hosts) hosts, \(checks.summary)")
        for (seed, problem) in checks.failures.sorted(by: { $0.key < $1.key }) {
            Issue.record("generated manifest with seed \(seed) (replay: STACKCTL_GEN_COUNT=1 STACKCTL_GEN_SEED=\(seed)):\n\(problem)")
        }
        if !checks.failures.isEmpty { print("failing seeds: \(checks.failures.keys.sorted().map(String.init).joined(separator: " "))") }
    }

    /// The batch checks can fail: a broken file of each kind is caught and named by its seed.
    @Test(.needsTestPython, .needs("apache2")) func theChecksCatchABrokenFileOfEachKind() throws {
        guard let python = Self.environment["STACKCTL_TEST_PYTHON"] else { Issue.record("STACKCTL_TEST_PYTHON is not set"); return }
        var template = Array("/tmp/sgXXXXXX".utf8CString)
        let root = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var generator = ManifestGenerator(seed: 1, root: root + "/0")
        let manifest = try ManifestLoader.parse(generator.manifest())
        var renders = StackRenderer(manifest).renderAll()
        for h in renders.indices {
            for f in renders[h].files.indices { renders[h].files[f].contents += "\n}{ broken [[\n" }
        }
        var checks = GeneratedChecks(root: root, python: python)
        try checks.add(seed: 1, yaml: "", renders: renders, topology: Topology(manifest))
        try checks.run()
        let problem = checks.failures[1] ?? ""
        for kind in ["apache2", manifest.middle.server.rawValue, "python on"] { #expect(problem.contains(kind), "\(kind) not caught") }
        let managers = Set(manifest.hosts.map(\.processManager))
        if managers.contains(.supervisord) { #expect(problem.contains("supervisord parser")) }
        if managers.contains(.systemd) { #expect(problem.contains("systemd-analyze verify")) }
    }

    @Test func theGeneratorCoversEveryKeyAndBothOfEachKind() throws {
        var text = ""
        for i in 0..<300 {
            var g = ManifestGenerator(seed: Self.seed &+ UInt64(i), root: "/tmp/x\(i)")
            text += g.manifest()
        }
        // Every key of the shape the decoder reads, but secrets and shipped TLS files (which
        // need files beside the manifest: SecretsTests, TLSTests and ACMETests).
        let keys = ManifestShape.root.all.filter { $0.doc != ManifestShape.secret.doc }.flatMap(\.keys)
            .filter { !["certificate", "key", "ca_certificate"].contains($0) }
        for key in Set(keys) { #expect(text.contains(" \(key):") || text.contains("\n\(key):"), "never generated: \(key)") }
        for kind in ["server: nginx", "server: lighttpd", "process_manager: systemd", "process_manager: supervisord",
                     "socket: unix", "socket: tcp", "address: \"::1\"", "address: \"127.", "server: prefork", "protocol: scgi"] {
            #expect(text.contains(kind), "never generated: \(kind)")
        }
    }
}
