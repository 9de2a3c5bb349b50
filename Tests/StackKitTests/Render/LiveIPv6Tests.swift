import Foundation
import Testing
@testable import StackKit

/// A stack on an IPv6 host (::1), run for real: Apache listens on [::1] and proxies to the
/// middle there, the middle passes app URLs to flup workers on ::1 over TCP and serves static
/// files. The renders' IPv6 spellings (brackets where each server needs them) are what make it
/// work; the generated manifests check the same configs with each server's validator.
@Suite(.serialized, .needsLiveStack) struct LiveIPv6Tests {
    static func manifest(root: String, server: MiddleServer, python: String, ports: [Int]) -> String {
        let app = Fixtures.repoRoot.appendingPathComponent("examples/app").path
        return """
        name: six
        base: \(root)/base
        process_manager: supervisord
        hosts:
          here: { address: '::1' }
        front: { hosts: [here], port: \(ports[0]) }
        middle:
          server: \(server.rawValue)
          hosts: [here]
          port: \(ports[1])
          static: { root: \(root)/public, aliases: { /static/: \(root)/static } }
          routes: { /: main }
        pools:
          main:
            wsgi: hello:application
            directory: \(app)
            python: \(python)
            instances: 2
            hosts: [here]
            socket: tcp
            port: \(ports[2])
        """
    }

    @Test(arguments: MiddleServer.allCases)
    func aStackOnAnIPv6HostServesThroughEveryTier(server: MiddleServer) throws {
        guard let (root, ports, renderer, host) = try LiveStackTests.prepare("six", ipv6: true, { Self.manifest(root: $0, server: server, python: $1, ports: $2) }) else { return }
        defer { try? FileManager.default.removeItem(at: root) }
        let processes = LiveProcesses()
        defer { processes.stopAll() }
        let log = renderer.topology.logDirectory
        // Tier by tier, as `up` does: the middle would otherwise mark not-yet-listening workers down.
        let programs = Programs.on(host.host, renderer.topology, Platform())
        for tier in Tier.allCases {
            for program in programs where program.tier == tier { _ = try processes.start(program.argv, log: "\(log)/\(program.name).log") }
            let port = [Tier.workers: ports[2], .middle: ports[1], .front: ports[0]][tier]!
            #expect(Net.wait(15) { Net.canConnect(ipv6Port: port) && (tier != .workers || Net.canConnect(ipv6Port: port + 1)) }, "\(tier) did not listen on [::1]: \(LiveStackTests.logs(log))")
        }
        let front = "http://[::1]:\(ports[0])", middle = "http://[::1]:\(ports[1])"
        #expect(Net.wait(20) { (try? Net.get(front + "/shop"))?.status == 200 }, "\(server): no answer over IPv6: \(LiveStackTests.logs(log))")
        for base in [middle, front] {
            let css = try Net.get(base + "/static/site.css")
            #expect(css.status == 200 && css.contentType.hasPrefix("text/css"), "\(server) \(base): \(css)")
            let r = try Net.get(base + "/shop/cart")
            let seen = LiveStackTests.json(r.body)
            #expect(seen["greeting"] != nil && seen["path_info"] == "/shop/cart", "\(server) \(base): \(r) \(LiveStackTests.logs(log))")
        }
        // The front's own address is trusted by the middle for the client's address.
        let viaFront = LiveStackTests.json(try Net.get(front + "/x").body)
        #expect(viaFront["remote_addr"] == "::1", "\(server): \(viaFront)")
    }
}
