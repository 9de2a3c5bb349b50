import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// `stackctl exec` as data: the host command, ssh's argv, and the verdict over every host.
@Suite struct ExecTests {
    static let manifest = try! ManifestLoader.parse(BadManifestCases.valid.replacingOccurrences(of: "    hosts: [b]", with: "    hosts: [a, b]\n    virtualenv: /srv/venv"))

    @Test func theHostRunsThePoolsPythonHelperWithTheCommandAsData() throws {
        let pool = try #require(Self.manifest.pool(named: "main"))
        let command = Scripts.exec(pool, topology: Topology(Self.manifest), command: ["sh", "-c", "echo $HOME; rm -rf /"], merge: true)
        #expect(command.argv.prefix(4) == ["/srv/venv/bin/python", "-I", "-S", "-c"])
        #expect(command.argv.dropFirst(5) == ["/srv/stackctl/shop/pools/main/pool.json", "/srv/app", "/srv/venv/bin", "/srv/venv",
                                              "shop-main", "shop-main", "1", "--", "sh", "-c", "echo $HOME; rm -rf /"])
        #expect(command.argv[4] == Scripts.poolExecSource && command.stdin.isEmpty)
        // The environment is read on the host: no value of it is in the command.
        #expect(!command.argv.joined().contains("GREETING"))
    }

    @Test func aTerminalIsAskedOfSshOnlyWhenWanted() {
        let options = SSHOptions(controlDirectory: "/tmp/c")
        let host = Host(name: "a", address: "web1")
        #expect(options.attachedArgv(for: host, command: ["python", "-q"], tty: true).suffix(6) == ["-o", "LogLevel=ERROR", "-tt", "--", "web1", "python -q"])
        #expect(options.attachedArgv(for: host, command: ["ls"], tty: false).suffix(4) == ["-T", "--", "web1", "ls"])
    }

    @Test func onEveryHostTheLinesComeWithTheirHostAndTheLargestStatusWins() async throws {
        let pool = try #require(Self.manifest.pool(named: "main"))
        let a = FakeTransport(hostName: "a") { _ in .success(CommandOutput(status: 0, stdout: Array("one\ntwo\n".utf8))) }
        let b = FakeTransport(hostName: "b") { _ in .success(CommandOutput(status: 4, stdout: Array("three\n".utf8))) }
        let exec = PoolExec(manifest: Self.manifest, pool: pool, connections: Connections(transports: ["a": a, "b": b]))
        let lines = LinesBox()
        let outcomes = await exec.runAll(command: ["true"], parallel: 8) { lines.append($0) }
        #expect(outcomes.map(\.host) == ["a", "b"])
        #expect(PoolExec.status(outcomes) == 4)
        #expect(Set(lines.all) == [PoolExec.Line(host: "a", text: "one"), PoolExec.Line(host: "a", text: "two"), PoolExec.Line(host: "b", text: "three")])
        #expect(a.commands.first?.argv.contains("1") == true, "standard error merged")
        let gone = FakeTransport(hostName: "b") { _ in .failure(.unreachable(host: "b", message: "timed out")) }
        let partial = await PoolExec(manifest: Self.manifest, pool: pool, connections: Connections(transports: ["a": a, "b": gone])).runAll(command: ["true"], parallel: 1) { _ in }
        #expect(PoolExec.status(partial) == ExitStatus.unreachable.rawValue)
    }

    final class LinesBox: Sendable {
        private let lines = Mutex<[PoolExec.Line]>([])
        func append(_ line: PoolExec.Line) { lines.withLock { $0.append(line) } }
        var all: [PoolExec.Line] { lines.withLock { $0 } }
    }
}
