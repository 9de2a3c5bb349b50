import Foundation
import Testing
import StackKitTesting
import StackKit

extension Trait where Self == ConditionTrait {
    /// pebble, Let's Encrypt's test ACME server (Debian package pebble), which scripts/install-deps installs.
    static var needsPebble: Self {
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/pebble"), "pebble is missing; scripts/install-deps installs it")
    }
}

/// pebble and its challenge DNS on loopback: every name it validates resolves to the lab's
/// front (`front`), whose port 80 mod_md answers http-01 on. Ended by pid.
final class PebbleCA {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let directory = "https://127.0.0.1:14000/dir"
    let dir: URL
    let front: String
    private var processes: [String: Process] = [:]

    /// Its listener's own certificate (IP 127.0.0.1), which mod_md is told to trust.
    var certificate: String { dir.appendingPathComponent("pebble.pem").path }

    init(_ dir: URL, front: String) throws {
        self.dir = dir
        self.front = front
        let key = dir.appendingPathComponent("pebble.key").path
        let made = try CLITests.capture(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                                         "-days", "30", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        guard made.status == 0 else { throw PebbleCA.Failure("openssl: \(made.stderr)") }
        let config = #"{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000", "certificate": "\#(certificate)", "#
            + #""privateKey": "\#(key)", "httpPort": 80, "tlsPort": 5001, "ocspResponderURL": "", "externalAccountBindingRequired": false}}"#
        try config.write(to: dir.appendingPathComponent("pebble.json"), atomically: true, encoding: .utf8)
        // No IPv6 answer: pebble would dial [::1]:80 for http-01 (measured: connection refused).
        try start("challtestsrv", "/usr/bin/pebble-challtestsrv", ["-defaultIPv4", front, "-defaultIPv6", "", "-dns01", "127.0.0.1:8053",
                                                                    "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", "127.0.0.1:8055"])
        try startPebble()
    }

    func startPebble() throws {
        try start("pebble", "/usr/bin/pebble", ["-config", dir.appendingPathComponent("pebble.json").path, "-dnsserver", "127.0.0.1:8053"],
                  environment: ["PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0"])
        guard CLITests.waitFor(10, { (try? CLITests.capture(["/usr/bin/curl", "-sf", "--cacert", certificate, Self.directory]).status) == 0 }) else {
            throw PebbleCA.Failure("pebble did not answer: \(log("pebble"))")
        }
    }

    func start(_ name: String, _ path: String, _ args: [String], environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let logFile = dir.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        (p.standardOutput, p.standardError) = (handle, handle)
        try p.run()
        processes[name] = p
    }

    func log(_ name: String) -> String { (try? String(contentsOf: dir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? "" }

    /// Ends one by its pid, or all of them.
    func stop(_ only: String? = nil) {
        for (name, p) in processes where only == nil || only == name {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            processes[name] = nil
        }
    }

    deinit { stop() }
}

extension Lab {
    /// ACME at the front through mod_md, against pebble: the certificate is issued and served,
    /// a renewal (forced by a renew window longer than pebble's five-year certificates) is put
    /// in service by `up`'s graceful reload under HTTPS load without a failed request, and with
    /// pebble down `up` succeeds on the certificate it has and says so.
    @Suite(.needsLab, .needsPebble, .serialized) struct ACMEE2ETests {
        static func manifest(_ dir: URL, _ ca: PebbleCA, kind: LabKind, renewWindow: String? = nil) throws -> String {
            var text = try String(contentsOf: CLITests.repo.appendingPathComponent("examples/releases.yml"), encoding: .utf8)
            let own = "    certificate_path: /srv/shop/tls/shop.pem\n    key_path: /srv/shop/tls/shop.key\n"
            #expect(text.contains(own))
            text = text.replacingOccurrences(of: own, with: "    acme:\n      email: ops@shop.example.test\n      directory: \(PebbleCA.directory)\n"
                + "      ca_certificate: \(ca.certificate)\n      wait: 60\n" + (renewWindow.map { "      renew_window: \($0)\n" } ?? ""))
            let path = dir.appendingPathComponent("acme.yml").path
            try kind.adapt(text).write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// The certificate the front serves: `issuer=...` and `serial=...`.
        static func served(_ kind: LabKind) throws -> (issuer: String, serial: String) {
            let r = try CLITests.capture(["/bin/sh", "-c", "echo | openssl s_client -connect \(kind.address(1)):443 -servername shop.example.test 2>/dev/null "
                + "| openssl x509 -noout -issuer -serial"])
            let lines = r.stdout.split(separator: "\n").map(String.init)
            return (lines.first { $0.hasPrefix("issuer=") } ?? "", lines.first { $0.hasPrefix("serial=") } ?? "")
        }

        /// Waits (bounded) until status shows the domain in `state`; the last certificates read.
        static func waitForState(_ manifest: String, _ states: Set<ManagedCertificate.State>, seconds: Double = 60) throws -> [ManagedCertificate] {
            var last: [ManagedCertificate] = []
            _ = CLITests.waitFor(seconds) {
                last = (try? StatusE2ETests.status(manifest).report.certificates) ?? nil ?? []
                return last.contains { states.contains($0.state) }
            }
            return last
        }

        @Test(arguments: LabKind.allCases) func issueRenewUnderLoadAndCarryOnWithoutTheCA(kind: LabKind) throws {
            try LabE2ETests.withApp { dir in
                let ca = try PebbleCA(dir, front: kind.address(1))
                defer { ca.stop() }
                let cfg = LabE2ETests.sshConfig
                var manifest = try Self.manifest(dir, ca, kind: kind)
                // mod_md's store outlives `down`: an earlier run's certificate would be served.
                let store = "rm -rf /srv/stackctl/shop/front/md"
                _ = try StatusE2ETests.ssh(kind.address(1), store)
                defer {
                    _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg])
                    _ = try? StatusE2ETests.ssh(kind.address(1), store)
                }

                // `check` names what ACME needs, here all there.
                let check = try CLITests.stackctl(["check", "-f", manifest, "-F", cfg])
                #expect(check.stdout.contains("ACME http-01") && check.stdout.contains("\(PebbleCA.directory) answers"), "\(check.stdout)\(check.stderr)")

                // Issued and served.
                let first = try LabE2ETests.up(manifest)
                #expect(first.status == 0, "\(first.stderr)\n\(ca.log("pebble"))")
                #expect(first.stderr.contains("now serving the new certificate for shop.example.test"), "\(first.stderr)")
                let issued = try Self.served(kind)
                #expect(issued.issuer.contains("Pebble Intermediate CA"), "\(issued)")
                let status = try StatusE2ETests.status(manifest)
                let entry = try #require(status.report.certificates?.first)
                #expect(status.status == 0 && entry.state == .valid && (entry.daysLeft ?? 0) > 1800 && entry.domains == ["shop.example.test"], "\(status.text)")
                let text = try CLITests.stackctl(["status", "-f", manifest, "-F", cfg])
                #expect(text.stdout.contains("CERTIFICATES  ACME through mod_md\n  front1  shop.example.test  valid, until "), "\(text.stdout)")
                if FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") {
                    let metrics = try CLITests.stackctl(["status", "-f", manifest, "-F", cfg, "--format", "prometheus"])
                    #expect(metrics.stdout.contains("stackctl_acme_certificate_expiry_timestamp_seconds{") && metrics.stdout.contains("stackctl_certificate_expiry_timestamp_seconds{"))
                    let checked = try MetricsE2ETests.promtool(["check", "metrics"], stdin: metrics.stdout)
                    #expect(checked.status == 0 && checked.stdout.isEmpty && checked.stderr.isEmpty, "promtool: \(checked.stdout)\(checked.stderr)")
                }

                // A renewal: mod_md renews at once and stages it; `up` reloads gracefully under load.
                manifest = try Self.manifest(dir, ca, kind: kind, renewWindow: "1900d")
                try LabE2ETests.expectUp(manifest)
                let staged = try Self.waitForState(manifest, [.staged])
                #expect(staged.first?.state == .staged, "\(staged)")
                var renew = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load = try RolloutE2ETests.underLoad(dir, front: "https://\(kind.address(1)):443") {
                    Thread.sleep(forTimeInterval: 1)
                    renew = try CLITests.stackctl(["up", "-f", manifest, "-F", cfg])
                    Thread.sleep(forTimeInterval: 1)
                }
                #expect(renew.status == 0 && renew.stderr.contains("reloading gracefully on front1")
                    && renew.stderr.contains("now serving the new certificate for shop.example.test"), "\(renew.stderr)")
                #expect(load["errors"] as? Int == 0 && load["non_2xx"] as? Int == 0 && (load["ok"] as? Int ?? 0) > 50, "\(load)")
                #expect((load["certificates"] as? [String: Int])?.count == 2, "both certificates served during the run: \(load)")
                let renewed = try Self.served(kind)
                print("ACME \(kind): renewed under HTTPS load: \(load["ok"] ?? 0) ok, \(load["errors"] ?? 0) errors, "
                    + "\(load["non_2xx"] ?? 0) non-2xx, certificates served \(load["certificates"] ?? [:]); \(issued.serial) -> \(renewed.serial)")
                #expect(renewed.serial != issued.serial && renewed.issuer.contains("Pebble"), "\(issued) -> \(renewed)")

                // pebble down: mod_md's next renewal fails; `up` succeeds on the certificate in service and says so.
                ca.stop("pebble")
                var seen = try Self.waitForState(manifest, [.failing, .staged])
                if seen.first?.state == .staged {
                    // Renewed before pebble went: put it in service; the renewal after it fails.
                    try LabE2ETests.expectUp(manifest)
                    seen = try Self.waitForState(manifest, [.failing])
                }
                #expect(seen.first?.state == .failing, "\(seen)")
                let serving = try Self.served(kind)
                let without = try LabE2ETests.up(manifest)
                #expect(without.status == 0, "\(without.stderr)")
                #expect(without.stderr.contains("warning: renewing the certificate for shop.example.test failed")
                    && without.stderr.contains("still serving the certificate for shop.example.test valid until"), "\(without.stderr)")
                #expect(try Self.served(kind).serial == serving.serial, "the certificate in service stays")
                let failing = try CLITests.stackctl(["status", "-f", manifest, "-F", cfg])
                #expect(failing.stdout.contains("failing, until ") && failing.stdout.contains("renewal failing ("), "\(failing.stdout)")
                let down = try CLITests.stackctl(["check", "-f", manifest, "-F", cfg])
                #expect(down.status != 0 && down.stdout.contains("\(PebbleCA.directory) does not answer from here"), "\(down.stdout)")
            }
        }
    }
}
