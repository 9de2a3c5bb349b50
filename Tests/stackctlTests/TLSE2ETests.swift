import Foundation
import StackKitTesting
import Testing

extension Lab {
    /// HTTPS at the front on the lab, with certificates made by openssl: valid, a key that is
    /// not the certificate's, expired, and for another name.
    @Suite(.serialized, .needsLab) struct TLSE2ETests {
        /// curl to the front over HTTPS as shop.example.test (resolved to the lab's front), from
        /// 127.0.0.2 so the middle takes the front's forwarded headers (127.0.0.1 is a trusted hop).
        static func https(_ kind: LabKind, _ path: String, _ extra: [String] = []) throws -> CLITests.Result {
            try CLITests.capture(["/usr/bin/curl", "-sk", "--noproxy", "*", "-m", "10", "--interface", "127.0.0.2", "--http2",
                                  "--resolve", "shop.example.test:443:\(kind.address(1))", "-D", "-",
                                  "-w", "\n%{http_code} %{http_version}"] + extra + ["https://shop.example.test\(path)"])
        }

        @Test(arguments: LabKind.allCases)
        func httpsServesRedirectsAndTheCertificateIsJudged(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, manifest in
                let certs = dir.appendingPathComponent("certs")
                try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
                for (name, host, expired) in [("good", "shop.example.test", false), ("other", "shop.example.test", false),
                                              ("expired", "shop.example.test", true), ("elsewhere", "other.example.test", false)] {
                    _ = try TestCertificates.make(in: certs, name: name, host: host, expired: expired)
                }
                _ = try TestCertificates.make(in: certs, name: "soon", host: "shop.example.test", days: 10)
                let plain = try String(contentsOfFile: manifest, encoding: .utf8)
                func use(_ certificate: String, _ key: String) throws {
                    try editYAML(plain) {
                        try $0.set("front.tls", .map(["certificate": .scalar("certs/\(certificate).pem", quoted: false), "key": .scalar("certs/\(key).key", quoted: false)]))
                    }.write(toFile: manifest, atomically: true, encoding: .utf8)
                }
                try use("good", "good")
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(up.stderr.contains("front https /health: its certificate is valid for 89 more days"), "\(up.stderr)")

                let page = try Self.https(kind, "/hello")
                #expect(page.stdout.hasSuffix("\n200 2"), "HTTP/2 over TLS: \(page.stdout)")
                #expect(page.stdout.lowercased().contains("strict-transport-security: max-age=63072000"))
                #expect(page.stdout.contains("\"scheme\": \"https\""), "X-Forwarded-Proto reaches the app: \(page.stdout)")
                let redirect = try CLITests.capture(["/usr/bin/curl", "-s", "--noproxy", "*", "-m", "10", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                                     "-H", "Host: shop.example.test", "http://\(kind.address(1))/a/b?c=1"])
                #expect(redirect.stdout == "301 https://shop.example.test/a/b?c=1")
                let status = try StatusE2ETests.status(manifest)
                #expect(status.status == 0)
                #expect(status.report.instance(host: "front1", name: "apache2")?.certificateDays == 89)

                // Ten days left: a warning, still healthy.
                try use("soon", "soon")
                let soonUp = try LabE2ETests.up(manifest)
                #expect(soonUp.status == 0, "\(soonUp.stderr)")
                let soon = try StatusE2ETests.status(manifest)
                #expect(soon.status == 0)
                #expect(soon.report.instance(host: "front1", name: "apache2")?.why == "its certificate expires in 9 days")

                // A key that is not the certificate's: refused before activation, the site unchanged.
                try use("good", "other")
                let mismatched = try LabE2ETests.up(manifest)
                #expect(mismatched.status == 4, "\(mismatched.stderr)")
                #expect(mismatched.stderr.contains("does not match the certificate"), "\(mismatched.stderr)")
                #expect(try Self.https(kind, "/hello").stdout.hasSuffix("\n200 2"))

                // Expired: served, but up and status say degraded (exit 8).
                try use("expired", "expired")
                let expired = try LabE2ETests.up(manifest)
                #expect(expired.status == 8 && expired.report.warning?.contains("its certificate expired") == true, "\(expired.report)")
                let late = try StatusE2ETests.status(manifest)
                #expect(late.status == 8)
                #expect(late.report.instance(host: "front1", name: "apache2")?.why?.hasPrefix("its certificate expired") == true)

                // For another name: degraded, naming both.
                try use("elsewhere", "elsewhere")
                let elsewhere = try LabE2ETests.up(manifest)
                #expect(elsewhere.status == 8, "\(elsewhere.stderr)")
                let wrong = try StatusE2ETests.status(manifest)
                #expect(wrong.status == 8)
                #expect(wrong.report.instance(host: "front1", name: "apache2")?.why
                        == "its certificate is for other.example.test, not shop.example.test")
            }
        }
    }
}
