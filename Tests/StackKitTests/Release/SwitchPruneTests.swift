import Foundation
import Testing
@testable import StackKit

/// A rollout's switch, run by a real shell on a pool directory: it links the new release,
/// records the one before, and prunes all but the newest `keep_releases`, never the release a
/// switch back needs, and the virtualenvs no release uses any more.
@Suite struct SwitchPruneTests {
    @Test func theSwitchKeepsCurrentPreviousAndTheNewestAndPrunesTheRest() throws {
        let root = try Fixtures.temporaryDirectory("switch")
        defer { try? FileManager.default.removeItem(at: root) }
        var manifest = Fixtures.rebased(try Fixtures.manifest("full"), under: root.path)
        let i = manifest.pools.firstIndex { $0.name == "main" }!
        manifest.pools[i].source = ReleaseSource(path: "/tmp/src")
        manifest.pools[i].keepReleases = 2
        let pool = manifest.pools[i]
        let plan = try #require(HostPlan.all(manifest).first { pool.hosts.contains($0.host.name) })
        let t = plan.topology, fm = FileManager.default
        let releases = t.releasesDirectory(pool.name), venvs = t.poolDirectory(pool.name) + "/venvs"
        // r1 oldest .. r5 newest; r1 is `previous`, r2 `current`; r5 is the one switched to.
        for (n, id) in ["r1", "r2", "r3", "r4", "r5"].enumerated() {
            let dir = releases + "/" + id
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            fm.createFile(atPath: dir + "/.stackctl-ready", contents: nil)
            try fm.createDirectory(atPath: venvs + "/v" + id, withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: dir + "/venv", withDestinationPath: "../../venvs/v" + id)
            try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(n * 10 - 100))], ofItemAtPath: dir)
        }
        try fm.createDirectory(atPath: venvs + "/orphan", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: t.currentLink(pool.name), withDestinationPath: "releases/r2")
        try "r1\n".write(toFile: t.poolDirectory(pool.name) + "/previous", atomically: true, encoding: .utf8)

        let script = Scripts.switchRelease(pool, to: "r5", plan, restart: false, prune: true)
        let r = try Run.run(["/bin/sh", "-s"], input: Data(script.text.utf8))
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let reply = SwitchReply(ScriptOutput(r.stdout))
        #expect(reply.from == "r2" && reply.to == "r5")
        // r5 (current, newest) and r4 (newest) kept, r2 (now previous) kept, and r1: a switch back
        // after a failed gate makes it previous again, the release `rollback` goes to. r3 pruned.
        #expect(try fm.contentsOfDirectory(atPath: releases).sorted() == ["r1", "r2", "r4", "r5"], "\(reply.pruned)")
        #expect(Set(reply.pruned) == ["release r3", "venv vr3", "venv orphan"])
        #expect(try fm.destinationOfSymbolicLink(atPath: t.currentLink(pool.name)) == "releases/r5")
        #expect(try String(contentsOfFile: t.poolDirectory(pool.name) + "/previous", encoding: .utf8) == "r2\n")
    }
}
