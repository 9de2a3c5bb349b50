import Foundation
import Testing
@testable import StackKit

/// `hosts.NAME.ssh`: what ssh is handed, apart from the address the tiers use.
@Suite struct SSHDestinationTests {
    static func hosts(_ entry: String) -> (Manifest?, [String]) {
        let yaml = """
        name: shop
        hosts:
          web: \(entry)
        front: { hosts: [web] }
        middle: { server: nginx, hosts: [web], static: { root: /srv/s }, routes: { /: main } }
        pools: { main: { wsgi: a:b, directory: /srv/app, hosts: [web] } }
        """
        do { return (try ManifestLoader.parse(yaml), []) } catch { return (nil, error.diagnostics.map(\.description)) }
    }

    @Test func sshGetsTheDestinationAndTheTiersTheAddress() throws {
        let m = try #require(Self.hosts("{ address: 10.0.0.5, ssh: web1 }").0)
        let host = try #require(m.host(named: "web"))
        #expect(host.destination == "web1" && host.address == "10.0.0.5")
        let options = SSHOptions(configFile: "/cfg", connectTimeout: 7, controlDirectory: "/ctl")
        let argv = options.argv(for: host, command: ["true"])
        #expect(argv.suffix(3) == ["--", "web1", "true"])
        #expect(!argv.contains("-l") && !argv.contains("-p"), "user and port come from the ssh config unless given")
        #expect(options.exitArgv(for: host).suffix(2) == ["--", "web1"])
        let given = try #require(Self.hosts("{ address: 10.0.0.5, ssh: ops@web1, user: deploy, port: 2222 }").0?.host(named: "web"))
        #expect(options.argv(for: given, command: ["true"]).suffix(7) == ["-l", "deploy", "-p", "2222", "--", "ops@web1", "true"])
        let plain = try #require(Self.hosts("{ address: 10.0.0.5 }").0?.host(named: "web"))
        #expect(plain.destination == "10.0.0.5", "the default stays the address")
        #expect(Topology(m).hostAddress("web") == "10.0.0.5")
    }

    @Test func destinationsAreValidatedLikeAddresses() {
        #expect(Self.hosts("{ address: 10.0.0.5, ssh: -oProxyCommand=x }").1 == [
            "3:34: hosts.web.ssh: ssh destination '-oProxyCommand=x' must not start with '-' (ssh would read it as an option)"])
        #expect(Self.hosts("{ address: 10.0.0.5, ssh: 'web 1' }").1.first?.contains("hosts.web.ssh: ") == true)
        #expect(Self.hosts("{ address: 10.0.0.5, ssh: \"web\\n1\" }").1.first?.contains("hosts.web.ssh: ") == true)
        #expect(Self.hosts("{ address: 10.0.0.5, ssh: 'ops@' }").1.first?.hasSuffix("needs a host (write an alias of your ssh config, a host, or user@host)") == true)
        #expect(Self.hosts("{ local: true, ssh: web1 }").1 == ["3:28: hosts.web.ssh: a local host is reached without ssh (leave out 'ssh' or 'local')"])
    }
}
