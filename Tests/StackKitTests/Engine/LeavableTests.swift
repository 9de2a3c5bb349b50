import Foundation
import Synchronization
import Testing
@testable import StackKit

/// An activation asked to stop is left once past its end marker, its probes' answers dropped;
/// before the marker it is waited for.
@Suite struct LeavableTests {
    /// A host whose activation prints its steps, waits `beforeEnd` seconds, prints its end
    /// marker, then waits on probes that answer only after 30 s (unless the follow is ended).
    struct SlowProbes: Transport {
        let hostName = "app1"
        var beforeEnd: Double

        func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput { CommandOutput(status: 0, stdout: []) }
        func shutdown() async {}

        func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32 {
            line("@ok restart shop-main:shop-main-0")
            try? await Task.sleep(for: .seconds(beforeEnd))
            line("@activated")
            for _ in 0..<300 where !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
            if !Task.isCancelled { line("@probes late") }
            return 0
        }
    }

    static func activate() throws -> HostScript<StepsReply> {
        let plan = try PlanTests.plan("full", host: "web")
        return Scripts.activate([.restart(["shop-admin:shop-admin-0"])], plan, HostChanges(files: []))
    }

    @Test func askedToStopPastTheEndMarkerTheProbesAreLeft() async throws {
        let result = await HostRunner.execute(try Self.activate(), on: SlowProbes(beforeEnd: 0), leavable: Leavable { true })
        let reply = try result.get()
        #expect(reply.done == ["restart shop-main:shop-main-0"] && reply.probes == nil)
    }

    @Test func askedToStopBeforeTheEndMarkerItIsWaitedFor() async throws {
        let asked = Mutex(0)
        let stop = Leavable { asked.withLock { $0 += 1; return true } }
        let reply = try await HostRunner.execute(try Self.activate(), on: SlowProbes(beforeEnd: 0.5), leavable: stop).get()
        #expect(reply.done == ["restart shop-main:shop-main-0"], "the activation's steps are all in")
        #expect(asked.withLock { $0 } >= 1)
    }

    @Test func aScriptWithoutItsEndMarkerFailsAsBefore() async throws {
        struct Broken: Transport {
            let hostName = "app1"
            func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput { CommandOutput(status: 0, stdout: []) }
            func shutdown() async {}
            func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32 {
                line("@fail restart shop-main:shop-main-0 (exit 7)")
                line("| spawn error")
                return 1
            }
        }
        let result = await HostRunner.execute(try Self.activate(), on: Broken(), leavable: Leavable { false })
        #expect(result.failure?.message.hasPrefix("restart shop-main:shop-main-0 (exit 7)") == true, "\(String(describing: result.failure))")
    }
}
