import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// Certificates from an ACME CA through mod_md: the manifest's keys, Apache's directives, mod_md's
/// status read back, and what `up` and `status` make of it.
@Suite struct ACMETests {
    static func manifest(_ acme: String, names: String = "[shop.example.test, www.example.test]", port: Int = 80) throws(ManifestError) -> Manifest {
        try ManifestLoader.parse("""
        name: shop
        hosts: { edge: { address: 127.0.0.11 }, web: { address: 127.0.0.12 } }
        front:
          hosts: [edge]
          port: \(port)
          server_names: \(names)
          tls:
            acme:
        \(acme)
        middle: { server: nginx, hosts: [web], static: { root: /srv/shop/static }, routes: { /: main } }
        pools: { main: { wsgi: hello:application, directory: /srv/shop/app, hosts: [web] } }
        """)
    }

    static func problems(_ acme: String, names: String = "[shop.example.test]") -> [String] {
        do { _ = try manifest(acme, names: names); return [] } catch { return error.diagnostics.map(\.description) }
    }

    static func apacheConf(_ m: Manifest) throws -> RenderedFile {
        let host = try #require(StackRenderer(m).renderAll().first { $0.host.name == "edge" })
        return try #require(host.files.first { $0.path.hasSuffix("apache2.conf") })
    }

    @Test func theManifestTakesAnEmailAndDefaultsToLetsEncrypt() throws {
        let m = try Self.manifest("      email: ops@example.com")
        let tls = try #require(m.front.tls)
        #expect(tls.acme?.email == "ops@example.com" && tls.acme?.directory == ACME.letsEncrypt && tls.acme?.wait == 90)
        #expect(tls.certificate == .acme && tls.key == .acme)
        let custom = try Self.manifest("      email: ops@example.com\n      directory: https://127.0.0.1:14000/dir\n      renew_window: 1900d\n      wait: 30")
        #expect(custom.front.tls?.acme?.directory == "https://127.0.0.1:14000/dir" && custom.front.tls?.acme?.renewWindow == "1900d")
    }

    @Test func badACMEKeysArePlacedAtTheirKey() {
        #expect(Self.problems("      email: ops") == ["9:14: front.tls.acme.email: 'ops' is not an email address (write it like ops@example.com)"])
        #expect(Self.problems("      email: ops@example.com\n      directory: http://ca.example/dir") == [
            "10:18: front.tls.acme.directory: ACME directory 'http://ca.example/dir' is not an https URL (Let's Encrypt's is \(ACME.letsEncrypt))"])
        #expect(Self.problems("      email: ops@example.com\n      renew_window: soon").first?.contains("renew window 'soon' is neither days") == true)
        #expect(Self.problems("      directory: https://ca.example/dir").first?.contains("front.tls.acme.email") == true, "email is required")
        #expect(Self.problems("      email: ops@example.com", names: "['*.example.test']") == [
            "6:18: front.server_names[0]: '*.example.test' is a wildcard: an ACME certificate over http-01 names each host "
                + "(list the names themselves, or give a certificate of your own (certificate, key))"])
        #expect(Self.problems("      email: ops@example.com", names: "[192.0.2.7]").first?.contains("'192.0.2.7' is an address") == true)
        #expect(Self.problems("      email: ops@example.com", names: "[]").first?.contains("ACME needs the names to get a certificate for") == true)
        let both = Fixtures.problems("""
        name: shop
        hosts: { edge: { address: 127.0.0.11 }, web: { address: 127.0.0.12 } }
        front:
          hosts: [edge]
          server_names: [shop.example.test]
          tls: { acme: { email: ops@example.com }, certificate_path: /c, key_path: /k }
        middle: { server: nginx, hosts: [web], static: { root: /srv/shop/static }, routes: { /: main } }
        pools: { main: { wsgi: hello:application, directory: /srv/shop/app, hosts: [web] } }
        """)
        #expect(both == ["6:62: front.tls.certificate_path: give either 'acme' or 'certificate_path', not both",
                         "6:76: front.tls.key_path: give either 'acme' or 'key_path', not both"], "\(both)")
    }

    @Test func apacheGetsMDDirectivesAndNoCertificateFiles() throws {
        let m = try Self.manifest("      email: ops@example.com\n      directory: https://127.0.0.1:14000/dir\n      renew_window: 30d")
        let file = try Self.apacheConf(m), conf = file.contents
        for line in ["LoadModule md_module \"/usr/lib/apache2/modules/mod_md.so\"", "MDStoreDir \"/srv/stackctl/shop/front/md\"",
                     "MDCertificateAuthority \"https://127.0.0.1:14000/dir\"", "MDCertificateAgreement accepted",
                     "MDContactEmail \"ops@example.com\"", "MDRenewWindow 30d", "MDomain shop.example.test www.example.test",
                     "    SSLEngine on\n    # Its certificate and key: mod_md's", "    ProxyPass \"/.stackctl-md-status\" !\n",
                     "RewriteRule ^/\\.stackctl-md-status$ - [L]\n    RewriteCond %{HTTP_HOST}",
                     "<Location \"/.stackctl-md-status\">\n    SetHandler md-status\n    Require ip 127.0.0.11\n</Location>\n"] {
            #expect(conf.contains(line), "\(line)")
        }
        #expect(!conf.contains("SSLCertificateFile") && !conf.contains("MDCACertificateFile"))
        #expect(conf.hasSuffix("</Location>\n"), "the status location comes last: no route's location takes its path")
        #expect(file.check == .apache(binary: "/usr/sbin/apache2", serverRoot: "/srv/stackctl/shop/front"))
        #expect(conf.components(separatedBy: "RewriteCond %{REQUEST_URI} !=/.stackctl-md-status").count == 2, "maintenance passes it")
    }

    @Test func aPrivateCAsRootIsShippedAndNamed() throws {
        let dir = try Fixtures.temporaryDirectory("acme")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pair = try TestCertificates.make(in: dir, name: "ca", host: "127.0.0.1")
        let text = """
        name: shop
        hosts: { edge: { address: 127.0.0.11 }, web: { address: 127.0.0.12 } }
        front: { hosts: [edge], server_names: [shop.example.test], tls: { acme: { email: ops@example.com, ca_certificate: ca.pem } } }
        middle: { server: nginx, hosts: [web], static: { root: /srv/shop/static }, routes: { /: main } }
        pools: { main: { wsgi: hello:application, directory: /srv/shop/app, hosts: [web] } }
        """
        let m = try ManifestLoader.parse(text, sourceBase: dir.path)
        let host = try #require(StackRenderer(m).renderAll().first { $0.host.name == "edge" })
        let ca = try #require(host.files.first { $0.path == "/srv/stackctl/shop/front/tls/acme-ca.pem" })
        #expect(ca.contents == (try String(contentsOfFile: pair.certificate, encoding: .utf8)) && ca.mode == 0o644)
        let conf = try #require(host.files.first { $0.path.hasSuffix("apache2.conf") })
        #expect(conf.contents.contains("MDCACertificateFile \"/srv/stackctl/shop/front/tls/acme-ca.pem\""))
        #expect(conf.check == .apache(binary: "/usr/sbin/apache2", serverRoot: "/srv/stackctl/shop/front", staged: ["/srv/stackctl/shop/front/tls/acme-ca.pem"]))
        let bad = text.replacingOccurrences(of: "ca.pem", with: "ca.key")
        #expect(throws: ManifestError.self) { try ManifestLoader.parse(bad, sourceBase: dir.path) }
    }

    @Test func modMDsStatusIsReadAsManagedDomains() throws {
        let staged = try #require(ManagedDomain.parse(json: try Fixtures.text("acme/md-status-staged.json")))
        #expect(staged.count == 1 && staged[0].name == "shop.acme.test" && staged[0].domains == ["shop.acme.test", "www.acme.test"])
        #expect(staged[0].certificate?.serial == "4F29ECE2FA95A1FC" && staged[0].staged?.serial == "54F5551EBC0D42D0" && staged[0].errors == 0)
        #expect(staged[0].certificate?.until == ManagedDomain.httpDate("Tue, 02 Dec 2031 18:42:49 GMT"))
        #expect(ManagedDomain.httpDate("Tue, 02 Dec 2031 18:42:49 GMT") == 1954003369)
        let failing = try #require(ManagedDomain.parse(json: try Fixtures.text("acme/md-status-failing.json")))
        #expect(failing[0].staged == nil && failing[0].errors == 1 && failing[0].nextTry == ManagedDomain.httpDate("Wed, 02 Dec 2026 20:20:36 GMT"))
        #expect(failing[0].problem == "Connection refused: Unsuccessful in contacting ACME server at <https://127.0.0.1:14000/dir>")
        #expect(ManagedDomain.parse(json: "<html>") == nil && ManagedDomain.parse(json: "{}") == nil)
        let reply = ACMEReply(ScriptOutput(FakeHost.acmeLine(serial: "01", staged: "02")))
        #expect(reply.now == 1796235600 && reply.domains?.first?.staged?.serial == "02")
        let unread = ACMEReply(ScriptOutput("@acme 1796235600 error [Errno 111] Connection refused\n"))
        #expect(unread.domains == nil && unread.error == "[Errno 111] Connection refused")
    }

    @Test func theStatusReadIsFromTheFrontHostsOwnAddress() throws {
        let m = try Self.manifest("      email: ops@example.com")
        let plan = try #require(HostPlan.all(m).first { $0.host.name == "edge" })
        let script = Scripts.acmeStatus(plan).text
        #expect(script.contains("source_address=(a, 0)") && script.hasSuffix(" 127.0.0.11 80 /.stackctl-md-status\n"))
        #expect(Scripts.status(plan).text.contains("/.stackctl-md-status"))
        let web = try #require(HostPlan.all(m).first { $0.host.name == "web" })
        #expect(!Scripts.status(web).text.contains("/.stackctl-md-status"))
    }
}
