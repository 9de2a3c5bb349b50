import Crypto
import Foundation

/// A pool's virtualenv built once, here, for every host: the hosts then unpack it and run no
/// pip, so a host with no route to a package index deploys (the virtualenv ships without pip). It is built at a scratch path and
/// moved to the hosts' path (`BASE/pools/POOL/venvs/HASH`): scripts' `#!` lines and the
/// activate scripts are rewritten, and the bytecode compiled again with the hosts' paths (a
/// traceback names the host's files). It fits hosts whose interpreter is the same Python on the
/// same platform (`python`); a host whose own differs builds its own with pip, as before.
public struct VirtualenvBundle: Sendable, Equatable {
    /// The release's requirements hash: the name of its directory under `venvs/`.
    public var hash: String
    /// `3.11.2 linux-x86_64`: the interpreter it was built with.
    public var python: String
    public var tarGz: [UInt8]
}

public enum VirtualenvBuilder {
    /// What the interpreter says of itself, the same words on every machine: version and platform.
    public static let identify = "import sys, sysconfig; print('%d.%d.%d' % sys.version_info[:3], sysconfig.get_platform())"

    /// Where bundles are kept between runs (content-addressed: hash and interpreter).
    static var cacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].map { $0 } ?? ((env["HOME"] ?? NSTemporaryDirectory()) + "/.cache")
        return base + "/stackctl/venvs"
    }

    /// The interpreter's identity on this machine; nil when it is not here.
    public static func localPython(_ interpreter: String) async -> String? {
        guard FileManager.default.isExecutableFile(atPath: interpreter),
              let out = try? await ProcessRunner.run([interpreter, "-I", "-c", identify], stdin: [], timeout: .seconds(30)),
              out.status == 0 else { return nil }
        let text = String(decoding: out.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The pool's virtualenv for `release`, for hosts at `target`: from the cache, or built with
    /// this machine's `pool.baseInterpreter` (pip may reach an index from here). Nil when that
    /// interpreter is not on this machine.
    public static func bundle(_ pool: Pool, _ release: ReleaseArchive, requirements: String?, target: String) async throws(ReleaseError) -> VirtualenvBundle? {
        guard let python = await localPython(pool.baseInterpreter), python.contains(" linux-") else { return nil }
        // Its paths are the hosts': one stack's bundle is not another's with the same requirements.
        let place = ReleaseBuilder.hex(SHA256.hash(data: Array(target.utf8))).prefix(12)
        let name = "\(release.requirementsHash)-\(place)-\(python.replacingOccurrences(of: " ", with: "-")).tar.gz"
        let cached = cacheDirectory + "/" + name
        if let data = FileManager.default.contents(atPath: cached) {
            return VirtualenvBundle(hash: release.requirementsHash, python: python, tarGz: Array(data))
        }
        let scratch = NSTemporaryDirectory() + "stackctl-venv-\(getpid())-\(release.requirementsHash)"
        let venv = scratch + "/venv"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try? FileManager.default.removeItem(atPath: scratch)
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            throw .archive(message: "cannot make \(scratch): \(error)")
        }
        var install = ["install", "--disable-pip-version-check", "-q", ReleaseBuilder.flup]
        if let requirements {
            let file = scratch + "/requirements.txt"
            FileManager.default.createFile(atPath: file, contents: Data(requirements.utf8))
            install += ["-r", file]
        }
        // The workers never run pip, and it is most of the archive (9 of 12 MiB with flup alone):
        // the virtualenv is made without it (ensurepip was most of the build) and filled by this
        // machine's own pip (`--python`, pip 22.3 and later); where there is none, by its own
        // pip, then removed. No setuptools either, as Python 3.12's virtualenvs: an app that
        // imports pkg_resources lists setuptools in its requirements.
        _ = try await step([pool.baseInterpreter, "-m", "venv", "--without-pip", venv], "create the virtualenv")
        let label = "pip install" + (requirements == nil ? " flup" : " -r requirements.txt")
        if await outerPip(pool.baseInterpreter) {
            _ = try await step([pool.baseInterpreter, "-m", "pip", "--python", venv + "/bin/python"] + install, label)
        } else {
            _ = try await step([venv + "/bin/python", "-m", "ensurepip"], "ensurepip")
            _ = try await step([venv + "/bin/python", "-m", "pip"] + install, label)
            _ = try await step([venv + "/bin/python", "-m", "pip", "uninstall", "-q", "-y", "--disable-pip-version-check", "pip", "setuptools"],
                               "pip uninstall pip")
        }
        try relocate(venv, to: target)
        // Bytecode again, with the hosts' paths in it (pip wrote the scratch path).
        _ = try await step([venv + "/bin/python", "-m", "compileall", "-q", "-f", "-s", venv, "-p", target, venv + "/lib"], "compile")
        let tar = try await step(["tar", "-C", venv, "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--format=gnu", "-czf", "-", "."], "archive")
        try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: cached + ".\(getpid())", contents: Data(tar))
        rename(cached + ".\(getpid())", cached)
        return VirtualenvBundle(hash: release.requirementsHash, python: python, tarGz: tar)
    }

    /// Whether the interpreter's own pip can install into another environment (`--python`).
    static func outerPip(_ interpreter: String) async -> Bool {
        guard let out = try? await ProcessRunner.run([interpreter, "-m", "pip", "--version"], stdin: [], timeout: .seconds(30)),
              out.status == 0, let version = out.stdoutText.split(separator: " ").dropFirst().first else { return false }
        let parts = version.split(separator: ".").compactMap { Int($0) }
        return parts.count >= 2 && (parts[0], parts[1]) >= (22, 3)
    }

    /// Rewrites `venv`'s own path to `target` in its bin/ scripts and pyvenv.cfg.
    static func relocate(_ venv: String, to target: String) throws(ReleaseError) {
        let fm = FileManager.default
        let bin = (try? fm.contentsOfDirectory(atPath: venv + "/bin")) ?? []
        for path in bin.map({ venv + "/bin/" + $0 }) + [venv + "/pyvenv.cfg"] {
            guard (try? fm.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular,
                  let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8), text.contains(venv) else { continue }
            let mode = (try? fm.attributesOfItem(atPath: path))?[.posixPermissions] as? Int ?? 0o644
            let moved = Data(text.replacingOccurrences(of: venv, with: target).utf8)
            guard fm.createFile(atPath: path, contents: moved, attributes: [.posixPermissions: mode]) else {
                throw .archive(message: "cannot rewrite \(path)")
            }
        }
    }

    static func step(_ argv: [String], _ label: String) async throws(ReleaseError) -> [UInt8] {
        do {
            let out = try await ProcessRunner.run(argv, stdin: [], timeout: .seconds(900))
            guard out.status == 0 else {
                let why = out.stderrText.split(separator: "\n").suffix(3).joined(separator: " ")
                throw ReleaseError.archive(message: "\(label) failed here: \(why)")
            }
            return out.stdout
        } catch let error as ReleaseError {
            throw error
        } catch {
            throw .archive(message: "\(label) failed here: \(error)")
        }
    }
}

/// Where a pool's virtualenv is built once for its hosts: an effect, so the engine's tests
/// run no pip. `stackctl` builds on this machine (`LocalVirtualenvs`); an engine without one
/// leaves each host to build its own.
public protocol VirtualenvMaking: Sendable {
    /// The bundle for `release` at `target` on the hosts; nil when it cannot be built here.
    func bundle(_ pool: Pool, _ release: ReleaseArchive, target: String) async throws(ReleaseError) -> VirtualenvBundle?
}

/// Built on this machine with the pool's interpreter, kept in the user's cache.
public struct LocalVirtualenvs: VirtualenvMaking {
    public init() {}
    public func bundle(_ pool: Pool, _ release: ReleaseArchive, target: String) async throws(ReleaseError) -> VirtualenvBundle? {
        try await VirtualenvBuilder.bundle(pool, release, requirements: release.requirements, target: target)
    }
}

