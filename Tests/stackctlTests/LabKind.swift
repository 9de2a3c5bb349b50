import Foundation
import Testing
import StackKitTesting

/// The lab's two kinds of host (scripts/lab): `plain` hosts (lab1-6, 127.0.0.11-16: an sshd in
/// its own mount namespace, supervisord stacks) and `systemd` hosts (sd1-6, 127.0.0.21-26:
/// systemd booted as PID 1, systemd stacks). Every end-to-end test runs on both.
enum LabKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case plain, systemd

    var testDescription: String { rawValue }
    var processManager: String { self == .plain ? "supervisord" : "systemd" }
    var hostPrefix: String { self == .plain ? "lab" : "sd" }
    var dir: String { "\(Lab.LabE2ETests.lab!)/hosts/\(hostPrefix)" }

    /// Lab host n's address: 127.0.0.1n or 127.0.0.2n.
    func address(_ n: Int) -> String { "127.0.0.\((self == .plain ? 10 : 20) + n)" }
    var front: String { "http://\(address(1))" }

    /// A lab manifest (written for the plain hosts) moved to this kind's hosts and process manager.
    func adapt(_ doc: inout YAMLEdit) throws {
        try doc.set("process_manager", .scalar(processManager, quoted: false))
        guard self == .systemd, case .map(let hosts)? = doc["hosts"] else { return }
        for host in hosts {
            for n in 1...6 where doc["hosts.\(host.key).address"] == .scalar("127.0.0.1\(n)", quoted: false) {
                try doc.set("hosts.\(host.key).address", .scalar(address(n), quoted: false))
            }
        }
    }

    func adapt(_ text: String) throws -> String { try editYAML(text) { try adapt(&$0) } }

    /// "Accepted publickey" lines in each of hosts 1-5's sshd log: one per SSH connection.
    func connections() -> [Int] {
        (1...5).map { n in
            let log = (try? String(contentsOfFile: "\(dir)\(n)/sshd.log", encoding: .utf8)) ?? ""
            return log.components(separatedBy: "Accepted publickey").count - 1
        }
    }

    /// argv prefix that runs a command inside systemd host n (all its namespaces).
    func inside(_ n: Int) throws -> [String] {
        let pid1 = try String(contentsOfFile: "\(dir)\(n)/pid1", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return ["/usr/bin/nsenter", "-t", pid1, "-a"]
    }

    /// Stops host n's sshd (the host itself keeps running) and returns how to start it again.
    func stopSSH(_ n: Int) throws -> () -> Void {
        switch self {
        case .plain:
            let pid = try #require(Int32(try String(contentsOfFile: "\(dir)\(n)/sshd.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGTERM)
            #expect(CLITests.waitFor(5) { kill(pid, 0) != 0 })
            return { _ = try? CLITests.capture([CLITests.repo.appendingPathComponent("scripts/lab").path, "up"]) }
        case .systemd:
            let inside = try inside(n) + ["systemctl"]
            #expect(try CLITests.capture(inside + ["stop", "lab-sshd.service"]).status == 0)
            return { _ = try? CLITests.capture(inside + ["start", "lab-sshd.service"]) }
        }
    }
}

extension Lab.LabE2ETests {
    /// Runs `body` with a lab manifest in a scratch directory, and brings its stack down after.
    /// Without a lab it does nothing (and fails when the run requires servers).
    static func withStack(server: String, kind: LabKind, _ body: (URL, String) throws -> Void) throws {
        guard lab != nil else {
            Issue.record("STACKCTL_LAB is not set: a test that needs the lab carries .needsLab")
            return
        }
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try manifest(server: server, kind: kind, in: dir)
        defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", sshConfig]) }
        try body(dir, manifest)
    }

    /// Runs `body` with a scratch directory holding copies of examples/app and examples/static
    /// (what examples/releases.yml ships). Without a lab it does nothing (and fails when the run requires servers).
    static func withApp(_ body: (URL) throws -> Void) throws {
        try withScratch { dir in
            // What examples/releases.yml ships from beside it: ./app (pool main) and ./static.
            for part in ["app", "static"] {
                try FileManager.default.copyItem(at: CLITests.repo.appendingPathComponent("examples/\(part)"), to: dir.appendingPathComponent(part))
            }
            try body(dir)
        }
    }

    /// Runs `body` with a scratch directory, removed after. Without a lab it does nothing (and
    /// fails when the run requires servers).
    static func withScratch(_ body: (URL) throws -> Void) throws {
        guard lab != nil else {
            Issue.record("STACKCTL_LAB is not set: a test that needs the lab carries .needsLab")
            return
        }
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir)
    }
}
