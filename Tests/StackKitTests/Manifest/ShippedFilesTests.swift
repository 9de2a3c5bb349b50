import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// What a manifest ships from the operator's machine: a key only ever in the 0600 key file, a
/// static directory never holding code or a file a secret is read from, and no two static
/// directories shipped to one place on the hosts.
@Suite struct ShippedFilesTests {
    static func problems(_ yaml: String, in dir: URL) -> [String] {
        do throws(ManifestError) {
            _ = try ManifestLoader.parse(yaml, sourceBase: dir.path, environment: [:])
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    static func manifest(static aliases: String = "", pool: String = "    wsgi: app:application\n    directory: /srv/app\n", front: String = "") -> String {
        BadManifestCases.valid
            .replacingOccurrences(of: "  static: { root: /srv/static }", with: "  static:\n    root: /srv/static\n" + (aliases.isEmpty ? "" : "    aliases:\n" + aliases))
            .replacingOccurrences(of: "    wsgi: app:application\n    directory: /srv/app\n", with: pool)
            .replacingOccurrences(of: "  hosts: [a]\nmiddle:", with: "  hosts: [a]\n" + front + "middle:")
    }

    static func dirs(_ names: [String], in root: URL) throws {
        for name in names { try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true) }
    }

    @Test func aCertificateFileThatHoldsItsKeyIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory("combined")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pair = try TestCertificates.make(in: dir, name: "site", host: "shop.example.test")
        let combined = try String(contentsOfFile: pair.certificate, encoding: .utf8) + String(contentsOfFile: pair.key, encoding: .utf8)
        try combined.write(to: dir.appendingPathComponent("combined.pem"), atomically: true, encoding: .utf8)
        let found = Self.problems(Self.manifest(front: "  tls: { certificate: combined.pem, key: \((pair.key as NSString).lastPathComponent) }\n"), in: dir)
        #expect(found.count == 1 && found[0].contains("front.tls.certificate: '\(dir.path)/combined.pem' holds a private key as well as the certificate"), "\(found)")
    }

    @Test func aStaticDirectoryNeverShipsCodeOrASecretFile() throws {
        let dir = try Fixtures.temporaryDirectory("shipped")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.dirs(["app/staticfiles", "site"], in: dir)
        try "correct horse battery".write(to: dir.appendingPathComponent("site/db-password"), atomically: true, encoding: .utf8)
        let pool = "    wsgi: app:application\n    source: app\n    env: { DB: { from_file: site/db-password } }\n"
        let found = Self.problems(Self.manifest(static: "      /s/: { source: site }\n      /code/: { source: app }\n      /all/: { source: . }\n", pool: pool), in: dir)
        let p = dir.path
        #expect(found.contains { $0.hasSuffix("middle.static.aliases./s/.source: static alias '/s/' would ship '\(p)/site/db-password', which pools.main.env.DB.from_file reads a secret from (keep secret files out of the static directory)") }, "\(found)")
        #expect(found.contains { $0.hasSuffix("middle.static.aliases./code/.source: static alias '/code/' would ship the code of pool 'main' (\(p)/app) as static files (ship a directory that holds only static files, such as collectstatic's output)") }, "\(found)")
        #expect(found.contains { $0.contains("middle.static.aliases./all/.source: static alias '/all/' would ship the code of pool 'main'") })
        #expect(found.contains { $0.contains("middle.static.aliases./all/.source: static alias '/all/' would ship '\(p)/site/db-password'") })
        // collectstatic's output inside the project is what Django ships: fine.
        let fine = Self.problems(Self.manifest(static: "      /static/: { source: app/staticfiles }\n", pool: "    wsgi: app:application\n    source: app\n"), in: dir)
        #expect(fine.isEmpty, "\(fine)")
    }

    @Test func twoStaticNamesThatShipToOneDirectoryAreRefused() throws {
        let dir = try Fixtures.temporaryDirectory("names")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.dirs(["x", "y"], in: dir)
        let found = Self.problems(Self.manifest(static: "      /a-b/: { source: x }\n      /a/b/: { source: y }\n"), in: dir)
        #expect(found.contains { $0.hasSuffix("middle.static.aliases./a/b/: static alias '/a/b/' ships to the same directory as static alias '/a-b/' (BASE/static/a-b): each release would replace the other's (use URL prefixes that differ in more than '/' and '-')") }, "\(found)")
        let rooted = Self.manifest(static: "      /root/: { source: y }\n").replacingOccurrences(of: "    root: /srv/static\n", with: "    root: { source: x }\n")
        #expect(Self.problems(rooted, in: dir).contains { $0.contains("static alias '/root/' ships to the same directory as the static root (BASE/static/root)") }, "\(Self.problems(rooted, in: dir))")
    }
}
