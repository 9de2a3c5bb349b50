import Foundation
import Testing
@testable import StackKit

/// `-d NAME`: deploy.NAME.yml laid over deploy.yml. Mappings merge by key, lists and scalars
/// replace, and every problem is placed in the file it comes from.
@Suite struct DestinationTests {
    static let base = """
    name: shop
    hosts:
      web: { address: 127.0.0.1 }
    front: { hosts: [web], port: 8080, server_names: [shop.example] }
    middle: { server: nginx, hosts: [web], static: { root: /srv/shop/static }, routes: { /: main } }
    pools:
      main:
        wsgi: hello:application
        directory: /srv/shop/app
        hosts: [web]
        instances: 2
        env: { MODE: live, DB_PASSWORD: { from_env: SHOP_DB } }
    """
    static let files = ["deploy.yml", "deploy.staging.yml"]

    static func parse(_ overlay: String, base: String = base, environment: [String: String] = ["SHOP_DB": "live-password"],
                      destination: String = "staging") throws -> Manifest {
        let laid = ManifestLoader.Overlay(text: overlay, destination: try Destination(destination), files: files)
        return try ManifestLoader.parse(base, overlay: laid, environment: environment)
    }

    static func problems(_ overlay: String, base: String = base) -> [String] {
        do { _ = try parse(overlay, base: base); return [] } catch let error as ManifestError {
            return error.formatted(files: files).split(separator: "\n").map(String.init)
        } catch { return ["\(error)"] }
    }

    @Test func mappingsMergeByKeyWhileListsAndScalarsReplace() throws {
        let m = try Self.parse("""
        hosts:
          web2: { address: 127.0.0.2 }
        front: { server_names: [staging.shop.example] }
        pools:
          main:
            hosts: [web2]
            env: { MODE: staging }
        """)
        #expect(m.hosts.map(\.name) == ["web", "web2"], "hosts merged by name")
        #expect(m.front.serverNames == ["staging.shop.example"], "a list replaces")
        #expect(m.front.port == 8080, "what the overlay leaves out stays")
        let pool = try #require(m.pool(named: "main"))
        #expect(pool.hosts == ["web2"])
        #expect(pool.instances == 2)
        #expect(pool.environment.map(\.0) == ["MODE", "DB_PASSWORD"])
        #expect(pool.environment.first?.1 == "staging", "a scalar replaces")
        #expect(m.destination == "staging")
        #expect(m.mark("pools.main.hosts") == Mark(line: 6, column: 12, file: 1))
        #expect(m.mark("pools.main.instances") == Mark(line: 11, column: 16, file: 0))
    }

    @Test func withoutANameOfItsOwnTheStackIsNamedForTheDestination() throws {
        let staging = try Self.parse("front: { port: 9080 }\nmiddle: { port: 9000 }")
        #expect(staging.name == "shop-staging")
        #expect(staging.base == "/srv/stackctl/shop-staging", "the base follows the name")
        let named = try Self.parse("name: shop-eu\n")
        #expect(named.name == "shop-eu")
        let empty = try Self.parse("")
        #expect(empty.name == "shop-staging", "an empty overlay is the manifest under its destination's name")
    }

    @Test func secretsMayDifferPerDestination() throws {
        let m = try Self.parse("pools: { main: { env: { DB_PASSWORD: { from_env: STAGING_DB } } } }",
                               environment: ["SHOP_DB": "live-password", "STAGING_DB": "staging-password"])
        let pool = try #require(m.pool(named: "main"))
        #expect(pool.environment.last?.1 == "staging-password")
        #expect(m.redactor("staging-password") == "[secret main.DB_PASSWORD]", "the destination's secret is hidden")
        #expect(m.redactor("live-password") == "live-password", "only the secrets it uses")
    }

    @Test func aProblemIsPlacedInTheFileItComesFrom() {
        let said = Self.problems("""
        front:
          port: 70000
        pools: { main: { hosts: [nowhere] } }
        """, base: Self.base.replacingOccurrences(of: "instances: 2", with: "instances: -1"))
        #expect(said.contains { $0.hasPrefix("deploy.staging.yml:2:9: front.port:") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("deploy.staging.yml:3:26: pools.main.hosts[0]: unknown host 'nowhere'") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("deploy.yml:11:16: pools.main.instances:") }, "\(said)")
    }

    @Test func aMappingMetByAnythingElseNamesBothFiles() {
        let said = Self.problems("front: [web]\n")
        #expect(said.first == "deploy.staging.yml:1:8: front: a list replaces the mapping at deploy.yml:4:8 "
                + "(an overlay's mapping merges into the manifest's key by key; give a mapping)", "\(said)")
        #expect(said.count == 1, "the decoder does not say it again: \(said)")
        let other = Self.problems("name: { a: b }\n")
        #expect(other.first?.hasPrefix("deploy.staging.yml:1:7: name: a mapping replaces a scalar at deploy.yml:1:7") == true, "\(other)")
    }

    @Test func requireDestinationBelongsInTheManifestOnly() {
        let said = Self.problems("require_destination: true\n")
        #expect(said == ["deploy.staging.yml:1:22: require_destination: require_destination belongs in deploy.yml, not in an overlay"])
        #expect(ManifestLoader.requiredDestination("require_destination: yes\nname: a\n") == Mark(line: 1, column: 22))
        #expect(ManifestLoader.requiredDestination("require_destination: false\n") == nil)
    }

    @Test func namesAndFiles() throws {
        #expect(try Destination("staging").overlayFile(for: "config/deploy.yml") == "config/deploy.staging.yml")
        #expect(try Destination("eu-1").overlayFile(for: "shop.yaml") == "shop.eu-1.yaml")
        #expect(try Destination("prod").overlayFile(for: "manifest") == "manifest.prod.yml")
        for bad in ["", "../x", "a/b", "-x", "a.b", "é", String(repeating: "a", count: 33)] {
            #expect(throws: DestinationError.self, "\(bad)") { try Destination(bad) }
        }
    }
}
