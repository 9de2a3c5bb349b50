import Foundation
import Testing
@testable import StackKit

/// Destinations as files: which exist, `require_destination`, and two destinations that would
/// share a machine's units, base, lock or ports.
@Suite struct DestinationFileTests {
    /// A directory holding deploy.yml and the given overlays.
    static func directory(_ base: String, _ overlays: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dest-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try base.write(toFile: "\(dir)/deploy.yml", atomically: true, encoding: .utf8)
        for (name, text) in overlays { try text.write(toFile: "\(dir)/deploy.\(name).yml", atomically: true, encoding: .utf8) }
        try "not a destination".write(toFile: "\(dir)/deploy.a.b.yml", atomically: true, encoding: .utf8)
        return dir
    }

    static let required = "require_destination: true\n" + DestinationTests.base
    static let staging = "front: { port: 9080 }\nmiddle: { port: 9000 }\n"

    static func load(_ dir: String, _ name: String?) throws -> Manifest {
        try ManifestLoader.load(file: "\(dir)/deploy.yml", destination: name.map { try Destination($0) }, requireSecrets: false)
    }

    static func clashes(_ dir: String, _ name: String) -> [String] {
        do { _ = try load(dir, name); return [] } catch let error as ManifestError {
            return error.formatted(files: ["deploy.yml", "deploy.\(name).yml"]).split(separator: "\n").map(String.init)
        } catch { return ["\(error)"] }
    }

    @Test func aManifestThatRequiresOneRefusesToRunWithoutIt() throws {
        let dir = try Self.directory(Self.required, ["staging": Self.staging, "production": ""])
        #expect(Destination.known(beside: "\(dir)/deploy.yml") == ["production", "staging"])
        do {
            _ = try Self.load(dir, nil)
            Issue.record("a bare run was let through")
        } catch let error as DestinationError {
            #expect("\(error)" == "\(dir)/deploy.yml:1:22: require_destination is true: name one with -d NAME; destinations: production, staging")
        }
        #expect(try Self.load(dir, "staging").name == "shop-staging")
        #expect(throws: DestinationError.self) { try Self.load(dir, "qa") }
    }

    @Test func twoDestinationsOnOneMachineGetTheirOwnNamesBasesAndPorts() throws {
        let dir = try Self.directory(Self.required, ["staging": Self.staging, "production": ""])
        #expect(Self.clashes(dir, "staging") == [])
        #expect(Self.clashes(dir, "production") == [])
    }

    @Test func aSharedBaseOrNameOrPortIsRefusedAtItsPosition() throws {
        let shared = Self.required.replacingOccurrences(of: "name: shop\n", with: "name: shop\nbase: /srv/shared\n")
        let dir = try Self.directory(shared, ["staging": Self.staging, "production": "name: shop\nbase: /srv/shop-live\n"])
        let (staging, production) = (Self.clashes(dir, "staging"), Self.clashes(dir, "production"))
        #expect(staging.isEmpty && production.isEmpty, "names, bases and ports all differ: \(staging) \(production)")

        let twin = try Self.directory(shared, ["staging": Self.staging, "production": "front: { port: 9080 }\n"])
        let said = Self.clashes(twin, "production")
        #expect(said.contains { $0.hasPrefix("deploy.yml:3:7: base: base '/srv/shared' is also used on host 'web' by destination 'staging'") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("deploy.production.yml:1:16: front.port: port 9080 (the front) is also used on host 'web'") }, "\(said)")
    }

    @Test func aDataDirectoryWrittenByBothIsRefused() throws {
        let withData = Self.required.replacingOccurrences(of: "    instances: 2\n", with: "    instances: 2\n    data: { media: { path: /srv/shop-media } }\n")
        #expect(withData != Self.required)
        let dir = try Self.directory(withData, ["staging": Self.staging, "production": ""])
        let said = Self.clashes(dir, "staging")
        #expect(said.contains { $0.hasPrefix("deploy.yml:13:20: pools.main.data.media: data directory '/srv/shop-media' is also used on host 'web' by destination 'production'") },
                "\(said)")
        let own = try Self.directory(withData, ["staging": Self.staging + "pools: { main: { data: { media: { path: /srv/staging-media } } } }\n", "production": ""])
        #expect(Self.clashes(own, "staging") == [])
    }

    @Test func theSameStackUnderTwoDestinationsSharesOnPurpose() throws {
        let dir = try Self.directory(Self.required, ["eu": "name: shop\n", "eu-canary": "name: shop\n"])
        #expect(Self.clashes(dir, "eu") == [], "same name, same base: one stack")
    }

    @Test func aBareManifestCountsUnlessItRequiresADestination() throws {
        let dir = try Self.directory(DestinationTests.base, ["staging": "name: shop\nbase: /srv/other\n"])
        let said = Self.clashes(dir, "staging")
        #expect(said.contains { $0.hasPrefix("deploy.staging.yml:1:7: name: stack name 'shop' is also used on host 'web' by the manifest alone") }, "\(said)")
    }
}
