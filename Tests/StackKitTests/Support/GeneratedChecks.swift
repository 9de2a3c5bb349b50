import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// Collects every rendered file of many generated manifests, then runs each `FileCheck` with
/// the real program: per file for Apache, lighttpd and nginx (two at a time), and in batches for
/// supervisord's parser, Python and `systemd-analyze verify`, whose start-up dominates.
/// Identical files of one manifest (a unit on several worker hosts) are checked once.
struct GeneratedChecks {
    let root: String
    let python: String
    var failures: [UInt64: String] = [:]
    var counts: [String: Int] = [:]

    struct Job {
        var seed: UInt64
        var label: String
        var argv: [String]
        /// Expected output: stderr+stdout trimmed.
        var want: String
    }

    var jobs: [Job] = []
    /// supervisord configs and the programs each must keep.
    var supervisord: [(seed: UInt64, path: String, programs: [String])] = []
    /// Launchers and pool files to compile with each pool's interpreter (all symlinked to `python`).
    var pythonFiles: [(seed: UInt64, path: String)] = []
    /// Units to verify, per seed: directory of this manifest's units.
    var unitDirs: [(seed: UInt64, dir: String)] = []
    var seen = Set<String>()

    init(root: String, python: String) {
        self.root = root
        self.python = python
    }

    mutating func fail(_ seed: UInt64, _ text: String) {
        failures[seed, default: ""] += text + "\n"
    }

    var summary: String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// Writes each host's files under `DIR/h/HOST` (their directories at their real paths, so
    /// the configs' own paths exist) and queues each file's check.
    mutating func add(seed: UInt64, yaml: String, renders: [HostRender], topology: Topology) throws {
        let fm = FileManager.default
        let m = topology.manifest
        let dir = root + "/\(seed)"
        for path in [m.middle.staticRoot] + m.middle.aliases.map(\.directory) + renders.flatMap({ $0.directories.map(\.path) }) {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        try fm.createDirectory(atPath: topology.middleDirectory + "/temp", withIntermediateDirectories: true)
        if let certificate = topology.tlsCertificatePath, let key = topology.tlsKeyPath {
            let dir = URL(fileURLWithPath: (certificate as NSString).deletingLastPathComponent)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            let pair = try TestCertificates.make(in: dir, name: "made", host: "example.test")
            for (from, to) in [(pair.certificate, certificate), (pair.key, key)] where !fm.fileExists(atPath: to) { try fm.copyItem(atPath: from, toPath: to) }
        }
        for pool in m.pools { try link(pool.python) ; try link(pool.baseInterpreter) }
        // Units of one manifest are verified together; a unit name whose content differs by host
        // starts another set. A template is verified as instance 0.
        var unitSets: [[String: String]] = []
        for (h, render) in renders.enumerated() {
            for file in render.files {
                let key = "\(seed) \(file.path) \(file.contents.hashValue)"
                guard seen.insert(key).inserted else { continue }
                let copy = "\(dir)/h\(h)\(file.path)"
                try fm.createDirectory(atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let contents = file.check.isSupervisord ? Fixtures.ownAccountsAsRoot(file.contents, m) : file.contents
                try contents.write(toFile: copy, atomically: false, encoding: .utf8)
                // A program a unit runs (the stack's supervisord) must be where the unit names it.
                if file.mode & 0o111 != 0, file.path.hasPrefix(root), !fm.fileExists(atPath: file.path) {
                    try fm.createDirectory(atPath: (file.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try contents.write(toFile: file.path, atomically: false, encoding: .utf8)
                    try fm.setAttributes([.posixPermissions: file.mode], ofItemAtPath: file.path)
                }
                let label = "\(render.host.name): \(file.path)"
                switch file.check {
                case .none:
                    if file.path.hasSuffix(".json") {
                        counts["pool.json", default: 0] += 1
                        if (try? JSONSerialization.jsonObject(with: Data(file.contents.utf8))) == nil { fail(seed, "\(label): not JSON") }
                    }
                case .apache(let binary, let serverRoot, _):
                    jobs.append(Job(seed: seed, label: label, argv: [binary, "-t", "-f", copy, "-d", serverRoot], want: "Syntax OK"))
                case .lighttpd(let binary, _):
                    jobs.append(Job(seed: seed, label: label, argv: [binary, "-tt", "-f", copy], want: ""))
                case .nginx(let binary, let prefix, _):
                    jobs.append(Job(seed: seed, label: label, argv: [binary, "-t", "-q", "-p", prefix, "-c", copy], want: ""))
                case .supervisord:
                    supervisord.append((seed, copy, Programs.on(render.host, topology, Platform()).map(\.name)))
                case .python:
                    pythonFiles.append((seed, copy))
                case .tlsPair:
                    break // generated manifests ship no certificates
                case .systemdUnit(let unit):
                    let set = unitSets.firstIndex { $0[unit] == nil || $0[unit] == file.contents } ?? unitSets.count
                    if set == unitSets.count { unitSets.append([:]) }
                    unitSets[set][unit] = file.contents
                    let path = "\(dir)/units\(set)/\(unit)"
                    try fm.createDirectory(atPath: "\(dir)/units\(set)", withIntermediateDirectories: true)
                    if !fm.fileExists(atPath: path) { try fm.copyItem(atPath: copy, toPath: path) }
                }
            }
        }
        for set in unitSets.indices { unitDirs.append((seed, "\(dir)/units\(set)")) }
    }

    /// The interpreter a pool names, made to exist here (under the test's root only).
    func link(_ path: String) throws {
        guard path.hasPrefix(root), !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: python)
    }

    mutating func run() throws {
        for (kind, n) in [("apache2 -t", "apache2"), ("lighttpd -tt", "lighttpd"), ("nginx -t", "nginx")] {
            counts[kind] = jobs.filter { ($0.argv[0] as NSString).lastPathComponent == n }.count
        }
        let results = Self.runAll(jobs)
        for (job, r) in zip(jobs, results) {
            let out = (r.stderr + r.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            if r.status != 0 || out != job.want { fail(job.seed, "\(job.label): \(job.argv.joined(separator: " ")) exit \(r.status):\n\(out)") }
        }
        try runSupervisord()
        try runPython()
        try runSystemd()
    }

    /// Two at a time: the checks are CPU-bound and this machine has two cores.
    static func runAll(_ jobs: [Job]) -> [Run] {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var runs: [Run?]
            init(_ n: Int) { runs = Array(repeating: nil, count: n) }
        }
        let results = Results(jobs.count), lanes = 2
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for i in stride(from: lane, to: jobs.count, by: lanes) {
                let r = (try? Run.run(jobs[i].argv)) ?? Run(status: -1, stdout: "", stderr: "could not run \(jobs[i].argv[0])")
                results.lock.withLock { results.runs[i] = r }
            }
        }
        return results.runs.map { $0! }
    }

    /// One Python process answers one line per path: `body` runs with `path` bound, and prints
    /// its answer; an exception becomes `ERROR ...`.
    static func batch(_ interpreter: String, imports: String, body: String, _ paths: [String]) throws -> [String] {
        let script = """
        import sys, \(imports)
        for path in sys.argv[1:]:
            try:
                \(body)
            except BaseException as e:
                print("ERROR " + repr(e).replace("\\n", " "))
        """
        let r = try Run.run([interpreter, "-c", script] + paths)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return paths.indices.map { $0 < lines.count ? lines[$0] : "(no answer: \(r.stderr))" }
    }

    mutating func runSupervisord() throws {
        counts["supervisord parses"] = supervisord.count
        guard !supervisord.isEmpty else { return }
        let answers = try Self.batch("/usr/bin/python3", imports: "supervisor.options",
                                     body: "o = supervisor.options.ServerOptions(); o.realize(args=['-c', path]); "
                                         + "print(' '.join(sorted(p.name for g in o.process_group_configs for p in g.process_configs)))",
                                     supervisord.map(\.path))
        for (config, got) in zip(supervisord, answers) where got != config.programs.sorted().joined(separator: " ") {
            fail(config.seed, "supervisord parser on \(config.path): got [\(got)], want \(config.programs.sorted())")
        }
    }

    mutating func runPython() throws {
        counts["python compiles"] = pythonFiles.count
        guard !pythonFiles.isEmpty else { return }
        let answers = try Self.batch(python, imports: "ast, flup.server.fcgi, flup.server.fcgi_fork",
                                     body: "ast.parse(open(path).read()); print('ok')", pythonFiles.map(\.path))
        for (file, got) in zip(pythonFiles, answers) where got != "ok" {
            fail(file.seed, "python on \(file.path): \(got)")
        }
    }

    /// One `systemd-analyze verify` per group of manifests whose unit names do not clash; a
    /// failing group is verified again one manifest at a time to name the seed.
    mutating func runSystemd() throws {
        guard let analyze = Run.which("systemd-analyze") else {
            Issue.record("systemd-analyze is not installed: the test carries .needs")
            return
        }
        let fm = FileManager.default
        var groups: [[(seed: UInt64, units: [String])]] = []
        var names: [Set<String>] = []
        for (seed, dir) in unitDirs {
            let units = try fm.contentsOfDirectory(atPath: dir).sorted().map { "\(dir)/\($0)" }
            let mine = Set(units.map { ($0 as NSString).lastPathComponent })
            if let g = names.firstIndex(where: { $0.isDisjoint(with: mine) && $0.count < 400 }) {
                groups[g].append((seed, units))
                names[g].formUnion(mine)
            } else {
                groups.append([(seed, units)])
                names.append(mine)
            }
        }
        counts["units verified"] = names.reduce(0) { $0 + $1.count }
        for group in groups {
            let r = try Run.run([analyze, "verify", "--man=no"] + group.flatMap(\.units))
            guard r.status != 0 || !r.stderr.isEmpty else { continue }
            for (seed, units) in group {
                let one = try Run.run([analyze, "verify", "--man=no"] + units)
                if one.status != 0 || !one.stderr.isEmpty { fail(seed, "systemd-analyze verify: \(one.stderr)") }
            }
        }
    }
}
