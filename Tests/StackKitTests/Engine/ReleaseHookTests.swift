import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// `release_command`: once per new release, on one host, before any host switches to it.
@Suite struct ReleaseHookTests {
    static func setup(hook: String = "python manage.py migrate", _ respond: [String: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError>] = [:])
        throws -> (Deployer<ImmediateClock>, [String: FakeTransport], URL, Said) {
        let (_, fakes, src) = try RolloutTests.setup(respond)
        var manifest = try Fixtures.manifest("full")
        let i = manifest.pools.firstIndex { $0.name == "main" }!
        manifest.pools[i].source = ReleaseSource(path: src.path)
        manifest.pools[i].releaseCommand = hook
        manifest.pools[i].environment.append(("DB_PASSWORD", "s3cr3t-pw"))
        manifest.pools[i].secretKeys = ["DB_PASSWORD"]
        let events = Said()
        let deployer = Deployer(manifest: manifest, connections: Connections(transports: fakes), clock: ImmediateClock()) { e in events.events.withLock { $0.append(e) } }
        return (deployer, fakes, src, events)
    }

    @Test func theHookRunsOnceOnTheFirstHostAfterPreparingAndBeforeAnySwitch() async throws {
        let (deployer, fakes, src, events) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fakes["app1"]!.phases == [.inspect, .prepare, .releaseHook, .switchRelease, .probe])
        #expect(fakes["app2"]!.phases == [.inspect, .prepare, .switchRelease, .probe])
        #expect(events.events.withLock { $0.contains { $0.host == "app1" && $0.kind == .info && $0.text == "migrated" } }, "its output is said as it comes")
    }

    @Test func aFailingHookSwitchesNothingAndExitsSeven() async throws {
        let failing: @Sendable (RemoteCommand) -> Result<CommandOutput, TransportError> = { c in
            c.phase == .releaseHook
                ? .success(CommandOutput(status: 1, stdout: Array("| django.db.utils.OperationalError: no such table\n@fail release_command (exit 1)\n".utf8)))
                : FakeHost.healthy(c)
        }
        let (deployer, fakes, src, _) = try Self.setup(["app1": failing])
        defer { try? FileManager.default.removeItem(at: src) }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.exitCode == .releaseFailed)
        #expect(report.failure?.hasSuffix("(exit 1); its last line: django.db.utils.OperationalError: no such table; nothing was switched") == true, "\(report.failure ?? "")")
        #expect(fakes["app1"]!.phases == [.inspect, .prepare, .releaseHook])
        #expect(fakes["app2"]!.phases == [.inspect, .prepare])
        #expect(fakes["web"]!.phases == [.inspect], "no host was drained")
    }

    @Test func aRollbackRunsNoHook() async throws {
        let (deployer, fakes, src, _) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        _ = await deployer.rollout(pool: "main", target: .previous)
        #expect(!fakes["app1"]!.phases.contains(.releaseHook))
    }

    @Test func theScriptRunsAsThePoolsUserWithSecretsOnlyInTheDocumentOnFD3() throws {
        let (deployer, _, src, _) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let plan = try #require(deployer.plans().first { $0.host.name == "app1" })
        let pool = try #require(deployer.manifest.pool(named: "main"))
        let script = Scripts.releaseHook(pool, id: "abc123def456", plan).text
        let run = try #require(script.range(of: "setpriv --reuid=shop --regid=shop --init-groups -- /srv/stackctl/shop/pools/main/releases/abc123def456/venv/bin/python -c "))
        let document = try #require(script.range(of: " 3<<'STACKCTL_EOF'\n"))
        #expect(run.upperBound < document.lowerBound)
        let secret = try #require(script.range(of: "s3cr3t-pw"))
        #expect(secret.lowerBound > document.upperBound, "the secret is data in the document, never a word of a command")
        #expect(script.contains(#""command":"python manage.py migrate""#) && script.contains(#""directory":"/srv/stackctl/shop/pools/main/releases/abc123def456""#))
        #expect(script.contains("[ -f /srv/stackctl/shop/pools/main/releases/abc123def456/.stackctl-ready ] ||"))
    }

    @Test func aReleaseCommandNeedsASource() throws {
        let text = try Fixtures.text("manifests/small.yml").replacingOccurrences(of: "    wsgi:", with: "    release_command: ./manage.py migrate\n    wsgi:")
        #expect(Fixtures.problems(text).contains { $0.contains("release_command: 'release_command' runs in a new release: it needs 'source'") }, "\(Fixtures.problems(text))")
    }
    /// SIGINT or SIGTERM ends a running release_command as it ends any phase: its follow is
    /// cancelled (which ends ssh, and the runner on the host then ends the command), the run
    /// stops with 130 and nothing switches.
    @Test func aSignalEndsARunningHookAndNothingSwitches() async throws {
        var (deployer, fakes, src, _) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let hanging = HangingFollow(fakes["app1"]!)
        var transports: [String: any Transport] = fakes
        transports["app1"] = hanging
        deployer = Deployer(manifest: deployer.manifest, connections: Connections(transports: transports), clock: ImmediateClock())
        deployer.interruption = { hanging.started.withLock { $0 } ? SIGINT : nil }
        let report = await deployer.rollout(pool: "main", target: .newRelease)
        #expect(report.exitCode == .interrupted)
        #expect(report.failure?.contains("during the release_command of main on app1 (it was ended; nothing was switched)") == true, "\(report.failure ?? "")")
        #expect(hanging.cancelled.withLock { $0 }, "the follow was ended, not waited out")
        #expect(!fakes["app1"]!.phases.contains(.switchRelease) && !fakes["app2"]!.phases.contains(.switchRelease))
    }

    @Test func theTimeoutIsTheRunnersAndItsExitIsSaid() throws {
        let (deployer, _, src, _) = try Self.setup()
        defer { try? FileManager.default.removeItem(at: src) }
        let plan = try #require(deployer.plans().first { $0.host.name == "app1" })
        var pool = try #require(deployer.manifest.pool(named: "main"))
        #expect(pool.releaseTimeout == 600)
        pool.releaseTimeout = 900
        let script = Scripts.releaseHook(pool, id: "abc123def456", plan)
        #expect(script.text.contains(#""timeout":900"#))
        #expect(script.text.contains("elif [ $rc -eq 124 ]; then") && script.text.contains("release_command (timed out after 900 s; its processes were ended)"))
        #expect(script.command.timeout == .seconds(1020), "the transport's own bound is only a backstop")
        let check = try Run.run(["/bin/sh", "-n", "-c", script.text])
        #expect(check.status == 0, "the script parses: \(check.stderr)")
    }

    @Test func theTimeoutIsADurationThatNeedsASource() throws {
        let small = try Fixtures.text("manifests/small.yml")
        let bounded = small.replacingOccurrences(of: "    wsgi:", with: "    release_command_timeout: 15m\n    wsgi:")
        #expect(Fixtures.problems(bounded).contains { $0.contains("'release_command_timeout' bounds a release_command: it needs 'source'") }, "\(Fixtures.problems(bounded))")
        let tooLong = small.replacingOccurrences(of: "    wsgi:", with: "    drain_timeout: 61m\n    wsgi:")
        #expect(Fixtures.problems(tooLong).contains { $0.contains("expected a duration such as 10, 10s, 500ms or 10m (at most 1 hour), found '61m'") })
    }
}

/// The events a deployer said (and any lines a test notes), in order.
final class Said: Sendable {
    let events = Mutex<[DeployEvent]>([])
    let lines = Mutex<[String]>([])
}

/// A host whose follow runs until it is cancelled (a migration that takes its time).
final class HangingFollow: Transport {
    let fake: FakeTransport
    let started = Mutex(false), cancelled = Mutex(false)
    init(_ fake: FakeTransport) { self.fake = fake }
    var hostName: String { fake.hostName }
    func run(_ command: RemoteCommand) async throws(TransportError) -> CommandOutput { try await fake.run(command) }
    func follow(_ command: RemoteCommand, line: @escaping @Sendable (String) -> Void) async throws(TransportError) -> Int32 {
        started.withLock { $0 = true }
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
        cancelled.withLock { $0 = true }
        return 143
    }
    func shutdown() async {}
}
