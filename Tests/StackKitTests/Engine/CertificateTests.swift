import Foundation
import Synchronization
import Testing
@testable import StackKit
import StackKitTesting

/// `up` and `status` with ACME certificates: the policy read from mod_md's status, one graceful
/// reload for a staged certificate, a failing renewal said without failing the run, and no
/// certificate at all failing it.
@Suite struct CertificateTests {
    static let manifest = try! ACMETests.manifest("      email: ops@example.com\n      wait: 30")

    static func reply(_ line: String) -> ACMEReply { ACMEReply(ScriptOutput(line)) }

    @Test func thePolicyReloadsForAStagedCertificateThenWaitsForIt() {
        let staged = Self.reply(FakeHost.acmeLine(serial: "01", staged: "02"))
        #expect(CertificatePolicy.next(staged, expecting: [:], left: 30) == .reload(expecting: ["www.example.test": "02"]))
        #expect(CertificatePolicy.next(staged, expecting: ["www.example.test": "02"], left: 30)
            == .wait("the graceful reload to put the renewed certificate for www.example.test in service"))
        let served = Self.reply(FakeHost.acmeLine(serial: "02"))
        guard case .done(let notes) = CertificatePolicy.next(served, expecting: ["www.example.test": "02"], left: 30) else {
            Issue.record("done once the new serial serves"); return
        }
        #expect(notes == [CertificateNote(warning: false, text: "now serving the new certificate for www.example.test valid until 2031-12-02 (1826 days left)")])
        // Renewed again at once (a renew window longer than the lifetime): one reload a run.
        let again = Self.reply(FakeHost.acmeLine(serial: "02", staged: "03"))
        if case .done = CertificatePolicy.next(again, expecting: ["www.example.test": "02"], left: 30) {} else { Issue.record("no second reload") }
    }

    @Test func aFailingRenewalIsAWarningAndNoCertificateIsAFailure() {
        let failing = Self.reply(FakeHost.acmeLine(serial: "01", errors: 2))
        #expect(CertificatePolicy.next(failing, expecting: [:], left: 30) == .done([CertificateNote(warning: true, text:
            "renewing the certificate for www.example.test failed (2 tries): Connection refused: Unsuccessful in contacting ACME server; "
            + "still serving the certificate for www.example.test valid until 2031-12-02 (1826 days left); mod_md tries again at 2026-12-02 20:20:36 UTC")]))
        // No certificate: waits while mod_md is at it, fails when its next try is past the wait.
        let issuing = Self.reply(FakeHost.acmeLine(serial: nil))
        #expect(CertificatePolicy.next(issuing, expecting: [:], left: 30) == .wait("a first certificate for www.example.test"))
        #expect(CertificatePolicy.next(issuing, expecting: [:], left: 0) == .fail("gave up waiting for a first certificate for www.example.test"))
        let soon = Self.reply(FakeHost.acmeLine(serial: nil, errors: 1, nextTry: "Wed, 02 Dec 2026 18:20:10 GMT"))
        if case .wait = CertificatePolicy.next(soon, expecting: [:], left: 30) {} else { Issue.record("its next try is within the wait") }
        let late = Self.reply(FakeHost.acmeLine(serial: nil, errors: 1, nextTry: "Wed, 02 Dec 2026 18:30:00 GMT"))
        #expect(CertificatePolicy.next(late, expecting: [:], left: 30) == .fail("no certificate for www.example.test yet: Connection refused: "
            + "Unsuccessful in contacting ACME server; mod_md tries again at 2026-12-02 18:30:00 UTC "
            + "(until then the front's HTTPS answers 503 with a stand-in certificate)"))
        let unread = Self.reply("@acme 1796235600 error HTTP 404 from /.stackctl-md-status\n")
        if case .wait = CertificatePolicy.next(unread, expecting: [:], left: 1) {} else { Issue.record("the front may still be starting") }
        #expect(CertificatePolicy.next(unread, expecting: [:], left: 0) == .fail("mod_md's status did not answer: HTTP 404 from /.stackctl-md-status "
            + "(is mod_md loaded? `stackctl check` names what is missing)"))
    }

    /// What a run said.
    final class Said: Sendable {
        let events = Mutex<[DeployEvent]>([])
        func withLock<T>(_ body: ([DeployEvent]) -> T) -> T { events.withLock { body($0) } }
    }

    static func deployer(acme: @escaping @Sendable (Int) -> String) -> (Deployer<ImmediateClock>, [String: FakeTransport], Said) {
        let reads = Mutex(0)
        let events = Said()
        var fakes: [String: FakeTransport] = [:]
        for host in Topology(manifest).activeHosts {
            fakes[host.name] = FakeTransport(hostName: host.name) { c in
                guard c.phase == .acme else { return FakeHost.healthy(c) }
                let n = reads.withLock { $0 += 1; return $0 }
                return .success(CommandOutput(status: 0, stdout: Array(acme(n).utf8)))
            }
        }
        let d = Deployer(manifest: manifest, connections: Connections(transports: fakes), clock: ImmediateClock()) { e in events.events.withLock { $0.append(e) } }
        return (d, fakes, events)
    }

    @Test func upReloadsTheFrontOnceForANewCertificateAndSaysSo() async {
        let (deployer, fakes, events) = Self.deployer { n in
            switch n {
            case 1: FakeHost.acmeLine(serial: nil)          // mod_md at work
            case 2: FakeHost.acmeLine(serial: nil, staged: "01")
            default: FakeHost.acmeLine(serial: "01")
            }
        }
        let report = await deployer.up()
        #expect(report.ok, "\(report.failure ?? "")")
        #expect(fakes["edge"]!.phases == [.inspect, .stage, .activate, .acme, .acme, .activate, .acme, .probe], "\(fakes["edge"]!.phases)")
        #expect(fakes["web"]!.phases.contains(.acme) == false)
        let reload = String(decoding: fakes["edge"]!.commands[5].stdin, as: UTF8.self)
        #expect(reload.contains("systemctl reload shop-front.service"), "a graceful reload")
        #expect(report.hosts.first { $0.host == "edge" }?.reloaded == ["shop-front.service"])
        #expect(events.withLock { $0.map(\.text) }.contains("now serving the new certificate for www.example.test valid until 2031-12-02 (1826 days left)"))
    }

    @Test func upSucceedsWhileARenewalFailsAndFailsWithoutACertificate() async {
        let (failing, _, events) = Self.deployer { _ in FakeHost.acmeLine(serial: "01", errors: 3) }
        let report = await failing.up()
        #expect(report.ok && report.exitCode == .ok)
        #expect(events.withLock { $0.contains { $0.kind == .info && $0.host == "edge" && $0.text.hasPrefix("warning: renewing the certificate for www.example.test failed (3 tries)") } })

        let (none, _, _) = Self.deployer { _ in FakeHost.acmeLine(serial: nil, errors: 1, nextTry: "Wed, 02 Dec 2026 19:00:00 GMT") }
        let refused = await none.up()
        #expect(!refused.ok && refused.exitCode == .unhealthy)
        #expect(refused.failure?.hasPrefix("edge: no certificate for www.example.test yet: Connection refused") == true, "\(refused.failure ?? "")")
    }

    @Test func statusShowsEachDomainWithItsDaysAndDegradesWithoutACertificate() throws {
        let plan = try #require(HostPlan.all(Self.manifest).first { $0.host.name == "edge" })
        func judged(_ line: String) -> (StatusReport.Instance, [ManagedCertificate]) {
            let facts = HostStatusFacts.parse("@proc shop-front.service running 10 100\n" + line)
            let seen = StatusChecker<ImmediateClock>.Seen(plan: plan, facts: facts, probes: [])
            let front = StatusJudge(seen: seen, topology: Topology(Self.manifest)).instances(of: .front)[0]
            return (front, ManagedCertificate.entries(host: "edge", facts.acme!))
        }
        let (ok, entries) = judged(FakeHost.acmeLine(serial: "01"))
        #expect(entries == [ManagedCertificate(host: "edge", name: "www.example.test", domains: ["www.example.test"], state: .valid,
                                               validUntil: 1954003369, daysLeft: 1826, detail: nil)])
        #expect(!ok.certificateBad && ok.why?.contains("ACME") != true, "no probe here: only the ACME part is judged")
        let (staged, _) = judged(FakeHost.acmeLine(serial: "01", staged: "02"))
        #expect(!staged.certificateBad && staged.why?.contains("a renewed certificate waits for a graceful reload: `stackctl up` puts it in service") == true)
        let (failing, failingEntries) = judged(FakeHost.acmeLine(serial: "01", errors: 2))
        #expect(!failing.certificateBad && failingEntries[0].state == .failing, "years left: a warning")
        #expect(failing.why?.hasSuffix("ACME www.example.test: renewal failing (2 tries): Connection refused: Unsuccessful in contacting ACME server; "
            + "next try at 2026-12-02 20:20:36 UTC") == true, "\(failing.why ?? "")")
        let (missing, missingEntries) = judged(FakeHost.acmeLine(serial: nil, errors: 1))
        #expect(missing.certificateBad && missingEntries[0].state == .missing && missingEntries[0].daysLeft == nil)

        var report = StatusReport(stack: "shop", state: .healthy, exitCode: .ok, seconds: 0.1, hosts: [], tiers: [])
        report.certificates = entries + failingEntries
        let text = StatusMetrics(report, checkedAt: Date(timeIntervalSince1970: 1796235600)).text
        #expect(text.contains("stackctl_acme_certificate_expiry_timestamp_seconds{stack=\"shop\",host=\"edge\",domain=\"www.example.test\"} 1954003369\n"))
        #expect(text.contains("stackctl_acme_state{stack=\"shop\",host=\"edge\",domain=\"www.example.test\",state=\"failing\"} 1\n"))
    }

    @Test func checkNamesPort80AndTheCAsDirectory() throws {
        let plan = try #require(HostPlan.all(Self.manifest).first { $0.host.name == "edge" })
        #expect(Scripts.check(plan).text.contains("' https://acme-v02.api.letsencrypt.org/directory ''\n"))
        #expect(Scripts.check(plan).text.contains("mod_md.so ] || printf"), "mod_md is named when missing")
        let ok = HostCheck(CheckReply(ScriptOutput("@user root 0\n@ca ok https://acme-v02.api.letsencrypt.org/directory\n")), plan)
        #expect(ok.items.filter { $0.what.hasPrefix("ACME") }.map(\.ok) == [true, true])
        let down = HostCheck(CheckReply(ScriptOutput("@user root 0\n@ca error <urlopen error [Errno 111] Connection refused>\n@nomod mod_md.so\n")), plan)
        #expect(down.problems.map(\.detail).contains("https://acme-v02.api.letsencrypt.org/directory does not answer from here: <urlopen error [Errno 111] Connection refused>"))
        #expect(down.problems.contains { $0.what == "Apache mod_md.so" } && down.aptLine == "apt-get install -y apache2")
        let natted = try ACMETests.manifest("      email: ops@example.com", port: 8080)
        let plan8080 = try #require(HostPlan.all(natted).first { $0.host.name == "edge" })
        let http = HostCheck(CheckReply(ScriptOutput("@user root 0\n@ca ok x\n")), plan8080).items.first { $0.what == "ACME http-01" }
        #expect(http?.ok == false && http?.detail == "the CA asks on port 80 and the front listens on 8080: forward port 80 to it, or set front.port: 80")
        let upCheck = HostCheck(CheckReply(ScriptOutput("@user root 0\n")), plan8080)
        #expect(!upCheck.items.contains { $0.what.hasPrefix("ACME") }, "up's own check reads no directory and asks nothing of port 80")
    }
}
