import Foundation
import Testing
@testable import StackKit

/// Maintenance mode at the front: rules switched by a file, in every virtual host that serves
/// the site, the page the front's own, and the manifest's networks let through.
@Suite struct MaintenanceRenderTests {
    static func apache(_ fixture: String, _ edit: (inout Manifest) -> Void = { _ in }) throws -> String {
        var m = try Fixtures.manifest(fixture)
        edit(&m)
        return try Self.apache(m)
    }

    static func apache(_ m: Manifest) throws -> String {
        let renderer = StackRenderer(m)
        let files = renderer.renderAll().flatMap(\.files)
        return try #require(files.first { $0.path.hasSuffix("front/apache2.conf") }).contents
    }

    @Test func theRulesAreSwitchedByAFileAndLetTheHealthPathAndTheAllowedNetworksThrough() throws {
        let conf = try Self.apache("full") {
            $0.front.maintenance.allow = ["10.0.0.0/8", "2001:db8::/32"]
            $0.front.health.path = "/health"
        }
        #expect(conf.contains("""
        RewriteEngine On
        RewriteCond "/srv/stackctl/shop/front/maintenance/on" -f
        RewriteCond %{REQUEST_URI} !=/health
        RewriteCond %{REQUEST_URI} !=/stackctl-maintenance.html
        RewriteCond expr "! -R '10.0.0.0/8'"
        RewriteCond expr "! -R '2001:db8::/32'"
        RewriteRule ^ - [R=503,L]
        """))
        #expect(conf.contains("Alias \"/stackctl-maintenance.html\" \"/srv/stackctl/shop/front/maintenance/page.html\""))
        #expect(conf.contains("<If \"-f '/srv/stackctl/shop/front/maintenance/on'\">\n    ErrorDocument 503 /stackctl-maintenance.html\n</If>"))
        #expect(conf.contains("ProxyPass \"/stackctl-maintenance.html\" !\nProxyPass \"/\""), "the page is never the middle's")
        #expect(conf.contains("LoadModule rewrite_module") && conf.contains("LoadModule alias_module"))
        let root = try Self.apache("full")
        #expect(root.contains("RewriteCond expr \"! (%{REQUEST_URI} == '/' && %{HTTP_USER_AGENT} == 'stackctl-probe')\"\n"),
                "a health path at the root passes only for stackctl's probe")
    }

    @Test func everyVirtualHostThatServesTheSiteHasThem() throws {
        let conf = try Self.apache(try TLSTests.manifest("    certificate_path: /etc/ssl/shop.pem\n    key_path: /etc/ssl/shop.key\n    redirect: false"))
        let hosts = conf.components(separatedBy: "<VirtualHost ").dropFirst()
        #expect(hosts.count == 2)
        let secure = try #require(hosts.last)
        #expect(secure.contains("    RewriteCond \"/srv/stackctl/shop/front/maintenance/on\" -f"))
    }

    @Test func theBuiltInPageSaysTheMessageEscaped() {
        let page = MaintenancePage.html(message: "Upgrading <db> & more", retryAfter: 90)
        #expect(page.contains("<p>Upgrading &lt;db&gt; &amp; more</p>") && page.contains("about 2 minutes"))
        #expect(MaintenancePage.html(message: "", retryAfter: 30).contains("about 1 minute."))
    }

    @Test func aHostsModeIsRead() {
        let state = MaintenanceState(message: "db", retryAfter: 120, since: "2026-12-02T15:00:00Z", by: "ann@ws1")
        #expect(MaintenanceReply(ScriptOutput("@maint on \(state.json)\n")).state == state)
        #expect(MaintenanceReply(ScriptOutput("@maint off\n")).state == nil)
        #expect(MaintenanceReply(ScriptOutput("@maint unsupported\n")).unsupported)
    }

    @Test func networksAreAddressesWithAPrefixOrNot() {
        for good in ["10.0.0.0/8", "127.0.0.99", "2001:db8::/32", "::1"] { #expect(ValueRule.network.problem(in: good) == nil, "\(good)") }
        for bad in ["10.0.0.0/33", "example.com", "10.0.0.0/8/8", "fe80::/129"] { #expect(ValueRule.network.problem(in: bad) != nil, "\(bad)") }
    }
}
