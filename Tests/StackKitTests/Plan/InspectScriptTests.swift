import Foundation
import Testing
@testable import StackKit

/// The inspect script, which every `up` runs on every host.
@Suite struct InspectScriptTests {
    @Test func thePortCheckRunsOnlyWhenAProgramIsNotUp() throws {
        let manifest = try Fixtures.manifest("full")
        let plan = try #require(HostPlan.all(manifest, platform: Platform()).first { $0.host.name == "app1" })
        let script = Scripts.inspect(plan).code.text
        // Each `stackctl_running NAME` is a command of its own, not one quoted word that is never
        // found (which made every inspect look for the ports' holders).
        #expect(script.contains("stackctl_all_running() { stackctl_running shop-main@0.service && stackctl_running shop-main@1.service; }\n"), "\(script)")
        #expect(script.contains("if ! stackctl_all_running && [ -n \"$(ss -Hltn '( sport = :9000 or sport = :9001 )' 2>/dev/null)\" ]; then\n"), "\(script)")
        #expect(!script.contains("'stackctl_running "))
    }

    /// Run by a real shell against a `systemctl` whose units are all active but `inactive`:
    /// the relay answers the probes asked ahead only when every program runs.
    static func probedAhead(inactive: String) throws -> InspectReply {
        let bin = try Fixtures.temporaryDirectory("fakebin")
        defer { try? FileManager.default.removeItem(at: bin) }
        try StatusScriptTests.fake(bin, "systemctl", "case \"$*\" in *\(inactive)*) exit 3 ;; esac\nexit 0\n")
        let plan = try #require(HostPlan.all(try Fixtures.manifest("small")).first)
        let missing = bin.appendingPathComponent("none.sock").path
        let script = Scripts.inspect(plan, probes: [Relay.Exchange(endpoint: .unix(path: missing), payload: [1, 2, 3], timeout: 2)])
        let r = try Run.run(["/bin/sh", "-c", script.text], environment: ["PATH": bin.path + ":/usr/bin:/bin"])
        return InspectReply(ScriptOutput(r.stdout))
    }

    @Test func theProbesAskedAheadAreAnsweredOnlyWhenEveryProgramRuns() throws {
        let running = try Self.probedAhead(inactive: "no-such-unit")
        let answers = try #require(running.probes.flatMap { Relay.decode($0, count: 1) })
        #expect(answers.map(\.outcome) == [.missing])
        #expect(!running.state.running.isEmpty)
        let oneDown = try Self.probedAhead(inactive: "tiny-web@0.service")
        #expect(oneDown.probes == nil && !oneDown.state.running.contains("tiny-web@0.service"))
    }

    /// The inspect's own lines in a real shell, on a supervisord host of fixture `ha` moved under
    /// a scratch root: every planned file there comes back with its hash and ownership, every
    /// directory with its mode (the awk program and the stat format print the markers).
    @Test func aRealShellReadsBackEveryFilesHashAndEveryDirectory() throws {
        let root = try Fixtures.temporaryDirectory("inspect")
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = Fixtures.rebased(try Fixtures.manifest("ha"), under: root.path)
        let plan = try #require(HostPlan.all(manifest).first { !$0.files.isEmpty })
        let files = plan.files.filter { $0.path.hasPrefix(root.path) }, dirs = plan.directories.filter { $0.path.hasPrefix(root.path) }
        #expect(!files.isEmpty && !dirs.isEmpty)
        for d in dirs { try FileManager.default.createDirectory(atPath: d.path, withIntermediateDirectories: true) }
        for f in files {
            try FileManager.default.createDirectory(atPath: (f.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try f.file.contents.write(toFile: f.path, atomically: true, encoding: .utf8)
        }
        let r = try Run.run(["/bin/sh", "-c", (Scripts.inspectBody(plan) + "exit 0\n").text])
        #expect(r.status == 0, "\(r.stderr)")
        let state = InspectReply(ScriptOutput(r.stdout)).state
        for f in files { #expect(state.files[f.path]?.sha256 == f.sha256, "\(f.path): \(r.stdout)") }
        for d in dirs { #expect(state.directories[d.path] != nil, "\(d.path): \(r.stdout)") }
    }

    /// Under supervisord the inspect asks supervisord once; `stackctl_running` and
    /// `stackctl_all_running` answer from that answer.
    @Test func theSupervisordInspectsFunctionsReadItsOneAnswer() throws {
        let plan = try #require(HostPlan.all(try Fixtures.manifest("ha")).first { $0.programs.count > 1 })
        let lines = Scripts.inspectBody(plan).text.split(separator: "\n").map(String.init)
        let functions = lines.filter { $0.hasPrefix("stackctl_running()") || $0.hasPrefix("stackctl_all_running()") }
        #expect(functions.count == 2, "\(lines)")
        let names = plan.programs.map { ServiceControl.name($0, plan) }
        func run(_ running: [String]) throws -> String {
            let status = running.map { "@running \($0)" }.joined(separator: "\n")
            let script = "sv_nl='\n'\nsv_status='\(status)'\n" + functions.joined(separator: "\n")
                + "\nstackctl_running \(names[0]) && echo first; stackctl_all_running && echo all; exit 0\n"
            return try Run.run(["/bin/sh", "-c", script]).stdout
        }
        #expect(try run(names) == "first\nall\n")
        #expect(try run([names[0]]) == "first\n")
        #expect(try run(Array(names.dropFirst())) == "")
        #expect(try run([names[0] + "x"] + names.dropFirst()) == "", "a name is matched whole")
    }
}

/// An `up`'s inspect lets the lock go again on a host in sync: a no-op then ends with no round
/// trip of its own. Run by a real shell on fixture `ha`'s host moved under a scratch root, its
/// files and directories given this user's ownership so that the host can be in sync.
@Suite struct InspectReleaseTests {
    struct Host {
        var root: URL
        var plan: HostPlan
        var request: LockRequest

        /// With `sourced`, the host's pool has a `source`: the inspect is given `releases`.
        var releases: [String: String] = [:]

        init(sourced: Bool = false) throws {
            let root = try Fixtures.temporaryDirectory("release")
            self.root = root
            var manifest = Fixtures.rebased(try Fixtures.manifest("ha"), under: root.path)
            if sourced { for i in manifest.pools.indices { manifest.pools[i].source = ReleaseSource(path: "/x") } }
            let pooled = Set(manifest.pools.flatMap(\.hosts))
            var plan = try #require(HostPlan.all(manifest).first { !$0.files.isEmpty && !$0.directories.isEmpty && (!sourced || pooled.contains($0.host.name)) })
            let user = String(cString: getpwuid(getuid())!.pointee.pw_name), group = String(cString: getgrgid(getgid())!.pointee.gr_name)
            plan.files = plan.files.filter { $0.path.hasPrefix(root.path) }.map { f in
                var f = f
                (f.file.owner, f.file.group) = (user, group)
                return f
            }
            plan.directories = plan.directories.filter { $0.path.hasPrefix(root.path) }.map { d in
                var d = d
                (d.owner, d.group) = (user, group)
                return d
            }
            self.plan = plan
            request = LockRequest(holder: LockHolder(token: "t-release", identity: RunIdentity(user: "ci", machine: "m", pid: 1),
                                                     command: "up", started: Date()))
            let fm = FileManager.default
            for d in plan.directories {
                try fm.createDirectory(atPath: d.path, withIntermediateDirectories: true)
                chmod(d.path, mode_t(d.mode))
            }
            for f in plan.files {
                try fm.createDirectory(atPath: (f.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try f.file.contents.write(toFile: f.path, atomically: true, encoding: .utf8)
                chmod(f.path, mode_t(f.file.mode))
            }
        }

        var lock: String { Scripts.lockPath(plan.topology) }

        /// The inspect's lock, its lines and its end, with every program taken as running.
        func inspect(running: Bool = true) throws -> (reply: LockReply, locked: Bool) {
            let script = Scripts.takeLock(plan.topology, request) + Scripts.inspectBody(plan, tracking: true, releases: releases)
                + "stackctl_all_running() { \(running ? "true" : "false"); }\n" as ShellCode
                + Scripts.releaseInSync(plan, token: request.holder.token) + "exit 0\n"
            let r = try Run.run(["/bin/sh", "-c", script.text])
            #expect(r.status == 0, "\(r.stderr)")
            return (LockReply(ScriptOutput(r.stdout)), FileManager.default.fileExists(atPath: lock))
        }
    }

    @Test func aHostInSyncLetsTheLockGoAndSaysSo() throws {
        let host = try Host()
        defer { try? FileManager.default.removeItem(at: host.root) }
        let (reply, locked) = try host.inspect()
        #expect(reply.acquired && reply.released && !locked)
    }

    @Test func anythingOutOfSyncKeepsTheLock() throws {
        let host = try Host()
        defer { try? FileManager.default.removeItem(at: host.root) }
        let file = host.plan.files[0], dir = host.plan.directories.last!
        let cases: [(String, () throws -> Void, () throws -> Void)] = [
            ("a program down", {}, {}),
            ("a file's contents", { try "changed".write(toFile: file.path, atomically: true, encoding: .utf8) },
             { try file.file.contents.write(toFile: file.path, atomically: true, encoding: .utf8) }),
            ("a file's mode", { chmod(file.path, 0o600) }, { chmod(file.path, mode_t(file.file.mode)) }),
            ("a file missing", { try FileManager.default.removeItem(atPath: file.path) },
             { try file.file.contents.write(toFile: file.path, atomically: true, encoding: .utf8); chmod(file.path, mode_t(file.file.mode)) }),
            ("a directory's mode", { chmod(dir.path, 0o700) }, { chmod(dir.path, mode_t(dir.mode)) }),
        ]
        for (what, change, undo) in cases {
            try change()
            let (reply, locked) = try host.inspect(running: what != "a program down")
            #expect(reply.acquired && !reply.released && locked, "\(what)")
            try FileManager.default.removeItem(atPath: host.lock)
            try undo()
            #expect(try host.inspect().reply.released, "\(what), undone")
        }
    }

    /// A sourced pool's host is in sync only on the release the run built: `current` pointing
    /// at it, finished (`.stackctl-ready`).
    @Test func aSourcedPoolsHostIsInSyncOnlyOnTheRunsRelease() throws {
        var host = try Host(sourced: true)
        defer { try? FileManager.default.removeItem(at: host.root) }
        let t = host.plan.topology
        let pools = t.manifest.pools.filter { $0.source != nil && $0.hosts.contains(host.plan.host.name) }
        #expect(!pools.isEmpty)
        let fm = FileManager.default
        for pool in pools {
            for id in ["aaa111", "bbb222"] {
                try fm.createDirectory(atPath: t.releasesDirectory(pool.name) + "/" + id, withIntermediateDirectories: true)
                fm.createFile(atPath: t.releasesDirectory(pool.name) + "/" + id + "/.stackctl-ready", contents: nil)
            }
            try? fm.removeItem(atPath: t.currentLink(pool.name))
            try fm.createSymbolicLink(atPath: t.currentLink(pool.name), withDestinationPath: "releases/aaa111")
            host.releases[pool.name] = "aaa111"
        }
        #expect(try host.inspect().reply.released, "on the run's release")
        try? fm.removeItem(atPath: host.lock)
        for pool in pools { host.releases[pool.name] = "bbb222" }
        let other = try host.inspect()
        #expect(!other.reply.released && other.locked, "on another release")
        try? fm.removeItem(atPath: host.lock)
        for pool in pools {
            host.releases[pool.name] = "aaa111"
            try fm.removeItem(atPath: t.releasesDirectory(pool.name) + "/aaa111/.stackctl-ready")
        }
        let unfinished = try host.inspect()
        #expect(!unfinished.reply.released && unfinished.locked, "its release unfinished")
        try? fm.removeItem(atPath: host.lock)
        host.releases = [:]
        #expect(try !host.inspect().reply.released, "no release given")
    }

    /// The lock is another run's: it is never removed, whatever the host's state.
    @Test func anotherRunsLockIsNeverLetGo() throws {
        let host = try Host()
        defer { try? FileManager.default.removeItem(at: host.root) }
        try FileManager.default.createDirectory(atPath: (host.lock as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "{\"token\":\"someone-else\"}\n".write(toFile: host.lock, atomically: true, encoding: .utf8)
        let (reply, locked) = try host.inspect()
        #expect(!reply.acquired && !reply.released && locked)
    }
}
