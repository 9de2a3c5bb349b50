import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// A reload that leaves a server waiting for a restart records it on the host, and every later
/// inspect (and status) says so while the same process runs: the record is the pid and its
/// start time, so any restart ends it. The shell fragments run in a real shell here.
@Suite struct PendingRestartTests {
    /// Fixture `fixture` moved under a scratch root, and host `host`'s plan.
    static func plan(_ fixture: String, host: String, root: URL) throws -> HostPlan {
        let manifest = Fixtures.rebased(try Fixtures.manifest(fixture), under: root.path)
        return try #require(HostPlan.all(manifest).first { $0.host.name == host })
    }

    static func sh(_ code: ShellCode, path: String? = nil) throws -> Run {
        let r = try Run.run(["/bin/sh", "-c", "set -u\n" + code.text], environment: path.map { ["PATH": $0 + ":/usr/bin:/bin"] } ?? [:])
        #expect(r.status == 0, "\(r.stderr)")
        return r
    }

    /// lighttpd reloaded under a limit (the shell's own, lowered to 1000) its config raises: said
    /// and recorded; the inspect says it again while that process runs, not once it is gone; a
    /// reload under a limit high enough forgets it.
    @Test func aLighttpdLimitIsRecordedSaidUntilItsProcessIsGoneAndForgottenOnceRaised() throws {
        let root = try Fixtures.temporaryDirectory("pending")
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = try Self.plan("ha", host: "m2", root: root)
        let t = plan.topology
        let program = try #require(plan.programs.first { $0.tier == .middle })
        let name = ServiceControl.name(program, plan), want = try #require(program.openFiles)
        try FileManager.default.createDirectory(atPath: t.runDirectory, withIntermediateDirectories: true)
        let server: ShellCode = "echo $$ > \(t.runDirectory + "/lighttpd.pid")\n"
        let reload = Scripts.pendingAfterReload(name, plan, HostChanges(files: []))
        let inspect = Scripts.inspectBody(plan).text
        #expect(inspect.contains(PendingRestart.listed(t).text), "the inspect lists the records")

        let r = try Self.sh("ulimit -n 1000\n" + server + reload + "echo inspect\n" + PendingRestart.listed(t))
        let said = PendingRestart(program: name, cause: .limit(have: 1000, want: want))
        let parts = r.stdout.components(separatedBy: "inspect\n")
        #expect(StepsReply(ScriptOutput(parts[0])).pending == [said], "\(r.stdout)")
        #expect(HostState(ScriptOutput(parts.last ?? "")).pendingRestarts == [said])
        #expect(said.message(.middle).contains("keeps 1000 open files where its config asks \(want)"))
        #expect(said.message(.middle).contains("`stackctl restart middle`"))

        // Another process (a restart): the record stays, and is not said.
        let record = PendingRestart.directory(t) + "/" + name + ".limit"
        #expect(FileManager.default.fileExists(atPath: record))
        #expect(try Self.sh(PendingRestart.listed(t)).stdout == "")
        // A record that is not one (one word, an empty file) is passed over.
        for (file, text) in [("junk.limit", "junk\n"), ("empty.unit", "")] {
            try text.write(toFile: PendingRestart.directory(t) + "/" + file, atomically: true, encoding: .utf8)
        }
        #expect(try Self.sh(PendingRestart.listed(t)).stdout == "")

        // A reload under a limit as high as the config asks: nothing said, the record gone.
        let hard = try Self.sh("ulimit -Hn").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if let h = Int(hard), h < want { return }
        let raised = try Self.sh("ulimit -n \(want)\n" + server + reload)
        #expect(StepsReply(ScriptOutput(raised.stdout)).pending == [], "\(raised.stdout)")
        #expect(!FileManager.default.fileExists(atPath: record))
    }

    /// A systemd front reloaded after its unit changed: recorded for its MainPID (here the shell,
    /// which the fake systemctl names) and said; not when only its config changed.
    @Test func aUnitReloadedAfterItChangedIsRecordedForItsMainPid() throws {
        let root = try Fixtures.temporaryDirectory("pending-unit")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let mainPid = root.appendingPathComponent("mainpid").path
        try StatusScriptTests.fake(bin, "systemctl", "case \"$1\" in show) cat \(mainPid) ;; esac\nexit 0\n")
        let plan = try Self.plan("full", host: "edge", root: root)
        let unit = try #require(plan.files.first { $0.role == .front && $0.file.check.isSystemdUnit })
        let config = try #require(plan.files.first { $0.role == .front && !$0.file.check.isSystemdUnit && $0.file.check != .none })
        guard case .systemdUnit(let name) = unit.file.check else { Issue.record("\(unit.file.check)"); return }
        let t = plan.topology
        let server: ShellCode = "echo $$ > \(mainPid)\n"
        let reloaded = try Self.sh(server + Scripts.pendingAfterReload(name, plan, HostChanges(files: [unit, config])) + "echo inspect\n"
                                   + PendingRestart.listed(t), path: bin.path)
        let said = PendingRestart(program: name, cause: .unit)
        let parts = reloaded.stdout.components(separatedBy: "inspect\n")
        #expect(StepsReply(ScriptOutput(parts[0])).pending == [said], "\(reloaded.stdout)")
        #expect(HostState(ScriptOutput(parts.last ?? "")).pendingRestarts == [said])
        #expect(said.message(.front).contains("`stackctl restart front`"))
        try FileManager.default.removeItem(atPath: PendingRestart.directory(t))
        let configOnly = try Self.sh(server + Scripts.pendingAfterReload(name, plan, HostChanges(files: [config])), path: bin.path)
        #expect(StepsReply(ScriptOutput(configOnly.stdout)).pending == [], "\(configOnly.stdout)")
        #expect(!FileManager.default.fileExists(atPath: PendingRestart.directory(t)))
        // Workers have no such record, nor lines for one.
        let app = try Self.plan("full", host: "app1", root: root)
        #expect(!Scripts.inspectBody(app).text.contains(PendingRestart.directory(app.topology)))
    }

    /// One message for a program whose unit and limit both wait: the unit's settings are its limit.
    @Test func aUnitAndItsLimitAreOneMessage() {
        let unit = PendingRestart(program: "shop-middle", cause: .unit)
        let limit = PendingRestart(program: "shop-middle", cause: .limit(have: 1024, want: 6064))
        let other = PendingRestart(program: "shop-front", cause: .limit(have: 1024, want: 6064))
        #expect(PendingRestart.said([limit, unit, other]) == [unit, other])
        #expect(HostState(ScriptOutput("@pending shop-middle limit 1024 6064\n@pending shop-middle unit\n@pending x bogus\n")).pendingRestarts == [limit, unit])
    }
}
