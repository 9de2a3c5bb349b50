import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// HTTPS at the front: the manifest's certificate and key, Apache's TLS config, the staged
/// pair check, and the certificate judgement of the probes.
@Suite struct TLSTests {
    static func manifest(_ tls: String, base: String? = nil) throws(ManifestError) -> Manifest {
        try ManifestLoader.parse("""
        name: shop
        hosts: { edge: { address: 127.0.0.11 }, web: { address: 127.0.0.12 } }
        front:
          hosts: [edge]
          server_names: [shop.example.test]
          tls:
        \(tls)
        middle: { server: nginx, hosts: [web], static: { root: /srv/shop/static }, routes: { /: main } }
        pools: { main: { wsgi: hello:application, directory: /srv/shop/app, hosts: [web] } }
        """, sourceBase: base)
    }

    static func problems(_ tls: String, base: String? = nil) -> [String] {
        do { _ = try manifest(tls, base: base); return [] } catch { return error.diagnostics.map(\.description) }
    }

    @Test func theCertificateAndKeyAreLocalFilesOrPathsOnTheHost() throws {
        let dir = try Fixtures.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pair = try TestCertificates.make(in: dir, name: "shop", host: "shop.example.test")
        let m = try Self.manifest("    certificate: shop.pem\n    key: shop.key", base: dir.path)
        guard case .shipped(_, let key)? = m.front.tls?.key else { Issue.record("the key is shipped"); return }
        #expect(key == (try String(contentsOfFile: pair.key, encoding: .utf8)))
        #expect(m.redactor(key).contains("[secret front.tls.key]") && !m.redactor(key).contains(key.split(separator: "\n")[1]), "the key never prints")
        let onHost = try Self.manifest("    certificate_path: /etc/ssl/shop.pem\n    key_path: /etc/ssl/private/shop.key\n    port: 8443\n    hsts: 0")
        #expect(onHost.front.tls?.certificate == .onHost(path: "/etc/ssl/shop.pem") && onHost.front.tls?.port == 8443 && onHost.front.tls?.hsts == 0)

        #expect(Self.problems("    certificate: shop.pem", base: dir.path) == [
            "7:5: front.tls.key: HTTPS needs 'key: LOCAL_FILE' (shipped) or 'key_path: PATH' (already on the front hosts) "
            + "(or 'acme:' with an email, for a certificate from Let's Encrypt through mod_md)"])
        #expect(Self.problems("    certificate: shop.key\n    key: shop.key", base: dir.path) == [
            "7:18: front.tls.certificate: '\(dir.standardizedFileURL.path)/shop.key' is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' line)"])
        #expect(Self.problems("    certificate: nope.pem\n    key_path: /k\n    key: shop.key", base: dir.path).contains {
            $0.hasSuffix("front.tls.key_path: give either 'key' or 'key_path', not both") })
    }

    @Test func apacheGetsATLSHostAPlainRedirectHSTSAndHTTP2() throws {
        let m = try Self.manifest("    certificate_path: /etc/ssl/shop.pem\n    key_path: /etc/ssl/shop.key\n    port: 8443")
        let host = try #require(StackRenderer(m).renderAll().first { $0.host.name == "edge" })
        let conf = try #require(host.files.first { $0.path.hasSuffix("apache2.conf") }).contents
        for line in ["LoadModule ssl_module", "LoadModule http2_module", "LoadModule rewrite_module", "Listen 127.0.0.11:8443 https",
                     "SSLProtocol -all +TLSv1.2 +TLSv1.3", "SSLSessionTickets off", "<VirtualHost 127.0.0.11:80>",
                     "RewriteRule ^ https://%1:8443%{REQUEST_URI} [R=301,L]", "<VirtualHost 127.0.0.11:8443>",
                     "SSLCertificateFile \"/etc/ssl/shop.pem\"", "Protocols h2 http/1.1",
                     "Header always set Strict-Transport-Security \"max-age=63072000\"", "RequestHeader set X-Forwarded-Proto \"https\""] {
            #expect(conf.contains(line), "\(line)")
        }
        #expect(!conf.contains("set X-Forwarded-Proto \"http\""), "with a redirect the plain port proxies nothing")
        let check = try #require(host.files.first { $0.path.hasSuffix("apache2.conf") }).check
        #expect(check == .apache(binary: "/usr/sbin/apache2", serverRoot: "/srv/stackctl/shop/front", staged: ["/etc/ssl/shop.pem", "/etc/ssl/shop.key"]))
        let plain = try Self.manifest("    certificate_path: /c\n    key_path: /k\n    redirect: false\n    http2: false\n    hsts: 0")
        let plainConf = StackRenderer(plain).renderAll().first { $0.host.name == "edge" }!.files[0].contents
        #expect(plainConf.contains("    RequestHeader set X-Forwarded-Proto \"http\"\n    ProxyPass") && !plainConf.contains("Protocols") && !plainConf.contains("Strict-Transport"))
        #expect(Probes.front(Topology(m), host: "edge").first?.tls == "shop.example.test")
    }

    @Test func aShippedKeyIsStagedPrivateAndCheckedAgainstItsCertificate() throws {
        let dir = try Fixtures.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try TestCertificates.make(in: dir, name: "shop", host: "shop.example.test")
        let m = try Self.manifest("    certificate: shop.pem\n    key: shop.key", base: dir.path)
        let plan = try #require(HostPlan.all(m).first { $0.host.name == "edge" })
        let key = try #require(plan.files.first { $0.path == "/srv/stackctl/shop/front/tls/key.pem" })
        #expect(key.file.mode == 0o600 && key.file.owner == "root" && key.file.secret)
        let script = Scripts.stage(plan, HostChanges(plan: plan, state: HostState())).text
        // Removed first (no file of another mode is written into), written under umask 077.
        let staged = "/srv/stackctl/shop/front/tls/.key.pem.stackctl-new"
        let removed = try #require(script.range(of: "rm -f ")?.lowerBound)
        let written = try #require(script.range(of: "(umask 077 && base64 -d > \(staged))")?.lowerBound)
        #expect(removed < written && script[removed...].prefix(while: { $0 != "\n" }).contains(staged))
        #expect(script.contains("check '/srv/stackctl/shop/front/tls/key.pem (its key is the certificate'\\''s)' ''"))
        #expect(script.contains("check /srv/stackctl/shop/front/apache2.conf 'Syntax OK' /usr/sbin/apache2 -t -f /srv/stackctl/shop/front/.apache2.conf.stackctl-new.check"))
    }

    /// The pair check as a host runs it, on real openssl-made keys.
    @Test func thePairCheckRefusesAKeyThatIsNotTheCertificates() throws {
        let dir = try Fixtures.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try TestCertificates.make(in: dir, name: "good", host: "shop.example.test")
        let other = try TestCertificates.make(in: dir, name: "other", host: "shop.example.test")
        let ok = try Run.run(["/usr/bin/python3", "-c", Scripts.tlsPair, good.certificate, dir.path + "/none", good.key, dir.path + "/none"])
        #expect(ok.status == 0 && ok.stdout.isEmpty, "\(ok.stdout)\(ok.stderr)")
        let bad = try Run.run(["/usr/bin/python3", "-c", Scripts.tlsPair, good.certificate, dir.path + "/none", "/final/key.pem", other.key])
        #expect(bad.stdout == "the key /final/key.pem does not match the certificate \(good.certificate)\n", "a staged copy is checked in place of the final file")
    }

    @Test func theProbesCertificateIsJudgedByDateAndName() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func cert(_ days: Double, _ names: [String], for name: String = "shop.example.test") -> Certificate {
            Certificate(notAfter: now.timeIntervalSince1970 + days * 86_400 + 60, names: names, serverName: name)
        }
        #expect(cert(90, ["shop.example.test"]).problem(now: now) == nil)
        #expect(cert(90, ["*.example.test"]).problem(now: now) == nil)
        #expect(cert(13, ["shop.example.test"]).problem(now: now)! == (false, "its certificate expires in 13 days"))
        #expect(cert(-3, ["shop.example.test"]).problem(now: now)! == (true, "its certificate expired 3 days ago"))
        #expect(cert(90, ["other.test"]).problem(now: now)! == (true, "its certificate is for other.test, not shop.example.test"))
        #expect(cert(90, ["*.test"], for: "a.b.test").problem(now: now)?.degraded == true, "a wildcard covers one label")
        #expect(Certificate(relayMessage: "tls 1800000000 a.test,b.test", serverName: "a.test") == Certificate(notAfter: 1_800_000_000, names: ["a.test", "b.test"], serverName: "a.test"))
        #expect(Certificate(relayMessage: "", serverName: "a.test") == nil)
    }
}
