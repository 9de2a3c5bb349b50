import Foundation
import Testing

/// One meaning per exit status, in every command: what the binary does, not what it says.
@Suite struct ExitStatusCLITests {
    static func manifest(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("deploy.yml").path
        #expect(try CLITests.stackctl(["init", "-f", path]).status == 0)
        return path
    }

    @Test func usageErrorsAre64InEveryCommand() throws {
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = try Self.manifest(in: dir)
        for command in ["init", "validate", "render", "up", "down", "status", "rollout", "rollback"] {
            #expect(try CLITests.stackctl([command, "--no-such-option"]).status == 64, "\(command)")
        }
        #expect(try CLITests.stackctl(["rollout", "--batch", "0", "-f", manifest]).status == 64)
        #expect(try CLITests.stackctl(["status", "--watch", "0.1", "-f", manifest]).status == 64)
        // A pool the manifest does not have is refused before any host is contacted.
        let unknown = try CLITests.stackctl(["rollout", "nosuchpool", "-f", manifest])
        #expect(unknown.status == 64 && unknown.stdout.contains("no pool named 'nosuchpool'"), "\(unknown)")
    }

    @Test func anUnreadableManifestIs66AndAnInvalidOne1() throws {
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        for command in ["validate", "render", "up", "down", "status", "rollout", "rollback"] {
            #expect(try CLITests.stackctl([command, "-f", dir.appendingPathComponent("none.yml").path]).status == 66, "\(command)")
        }
        let bad = dir.appendingPathComponent("bad.yml")
        try "name: x\n".write(to: bad, atomically: true, encoding: .utf8)
        for command in ["validate", "render", "up", "status"] {
            #expect(try CLITests.stackctl([command, "-f", bad.path]).status == 1, "\(command)")
        }
    }

    @Test func everyCommandsHelpListsItsStatusesFromTheOneTable() throws {
        for command in ["init", "validate", "render", "up", "down", "status", "rollout", "rollback"] {
            let help = try CLITests.stackctl([command, "--help"]).stdout
            #expect(help.contains("Exit status:\n   0  done; valid; every instance healthy"), "\(command)")
        }
        let status = try CLITests.stackctl(["status", "--help"]).stdout
        #expect(status.contains("   8  degraded: status finds some instances unhealthy") && status.contains("   5  unhealthy:") && !status.contains("   4  "))
    }
}
