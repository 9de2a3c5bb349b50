import Foundation
import Testing
@testable import StackKit

/// The status script of a systemd host, run by a real shell against a `systemctl` and a
/// `journalctl` that answer the way systemd 252 does: properties in systemd's own order (not
/// the order asked for), and a journal whose last lines are a traceback still being written.
@Suite struct StatusScriptTests {
    static func fake(_ dir: URL, _ name: String, _ body: String) throws {
        let path = dir.appendingPathComponent(name).path
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// The status script of fixture `small`'s systemd host, run against these two programs.
    static func run(systemctl: String, journalctl: String) throws -> (facts: HostStatusFacts, stdout: String) {
        let bin = try Fixtures.temporaryDirectory("fakebin")
        defer { try? FileManager.default.removeItem(at: bin) }
        try fake(bin, "systemctl", systemctl)
        try fake(bin, "journalctl", journalctl)
        let plan = try #require(HostPlan.all(try Fixtures.manifest("small")).first)
        #expect(plan.host.processManager == .systemd)
        let r = try Run.run(["/bin/sh", "-c", Scripts.status(plan).text], environment: ["PATH": bin.path + ":/usr/bin:/bin"])
        return (HostStatusFacts(ScriptOutput(r.stdout)), r.stdout)
    }

    @Test func systemdStateComesByNameAndTheWhyIsTheLastCompleteLine() throws {
        let (facts, stdout) = try Self.run(systemctl: """
        case "$*" in
          *InvocationID*) echo 0f1e2d3c ;;
          show*) printf 'MainPID=673\\nActiveState=active\\nSubState=running\\nActiveEnterTimestampMonotonic=1000000\\n' ;;
        esac
        """, journalctl: """
        printf '%s\\n' 'pool web instance 0 starting' "ModuleNotFoundError: No module named 'hello'" 'Traceback (most recent call last):' '  File "/srv/app/hello.py", line 1'
        """)
        let worker = try #require(facts.processes["tiny-web@0.service"], "\(stdout)")
        #expect(worker.state == "running" && worker.pid == 673 && worker.uptime > 0, "\(worker)")
        #expect(facts.lastLogLine["tiny-web@0.service"] == "ModuleNotFoundError: No module named 'hello'")
    }

    /// Killed, waiting out RestartSec before its first attempt: pending, which a gate does not
    /// take for an exit (the attempt's words are the why); after a failed attempt, auto-restart.
    @Test(arguments: [("0", "activating/restart-pending", false), ("1", "activating/auto-restart", true)])
    func anAutoRestartIsAnExitOnlyAfterAnAttemptOfItsOwn(restarts: String, state: String, exited: Bool) throws {
        let (facts, stdout) = try Self.run(systemctl: """
        case "$*" in
          show*) printf 'MainPID=0\\nActiveState=activating\\nSubState=auto-restart\\nNRestarts=\(restarts)\\nActiveEnterTimestampMonotonic=1000000\\n' ;;
        esac
        """, journalctl: "exit 0\n")
        let worker = try #require(facts.processes["tiny-web@0.service"], "\(stdout)")
        #expect(worker.state.word == state)
        #expect(worker.state.hasExited == exited)
    }
}
