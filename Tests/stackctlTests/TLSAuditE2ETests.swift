import Foundation
import Testing
import StackKitTesting
import StackKit

extension Trait where Self == ConditionTrait {
    /// testssl (Debian package testssl.sh), which scripts/install-deps installs.
    static var needsTestssl: Self {
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/testssl"), "testssl is missing; scripts/install-deps installs it")
    }
}

extension Lab {
    /// The HTTPS front as an auditor sees it: testssl against examples/releases.yml's front finds
    /// nothing it rates HIGH or CRITICAL (its "NOT ok") and nothing VULNERABLE, but what a
    /// self-signed lab certificate cannot have: a chain of trust, and a CRL or OCSP URI.
    @Suite(.needsLab, .needsTestssl) struct TLSAuditE2ETests {
        static let selfSigned: Set<String> = ["cert_chain_of_trust", "cert_revocation"]

        @Test func testsslFindsNothingNotOkButTheSelfSignedChain() throws {
            try LabE2ETests.withApp { dir in
                let manifest = try RolloutE2ETests.releasesManifest(dir, server: "nginx", kind: .plain)
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
                try LabE2ETests.expectUp(manifest)
                let json = dir.appendingPathComponent("testssl.json")
                let run = try CLITests.capture(["/usr/bin/testssl", "--quiet", "--color", "0", "--warnings", "off", "--jsonfile", json.path,
                                                "--ip", LabKind.plain.address(1), "https://shop.example.test/"])
                let findings = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [[String: Any]], "\(run.stdout)")
                #expect(findings.count > 50, "testssl ran its checks: \(findings.count)")
                var bad: [String] = []
                for f in findings {
                    let id = f["id"] as? String ?? "", severity = f["severity"] as? String ?? "", finding = f["finding"] as? String ?? ""
                    guard !Self.selfSigned.contains(id) else { continue }
                    if ["HIGH", "CRITICAL"].contains(severity) || finding.contains("VULNERABLE") { bad.append("\(id) \(severity): \(finding)") }
                }
                #expect(bad.isEmpty, "\(bad)")
                let notOk = run.stdout.split(separator: "\n").filter { $0.contains("NOT ok") }
                #expect(notOk.count <= 2 && notOk.allSatisfy { $0.contains("self signed") || $0.contains("neither CRL nor OCSP") }, "\(notOk)")
                #expect(run.stdout.contains("TLS 1.3") && run.stdout.contains("offered (OK)"))
                print("testssl: \(findings.count) findings, \(notOk.count) NOT ok (the self-signed chain); "
                    + "MEDIUM: \(findings.filter { $0["severity"] as? String == "MEDIUM" }.compactMap { $0["id"] as? String })")
            }
        }
    }
}
