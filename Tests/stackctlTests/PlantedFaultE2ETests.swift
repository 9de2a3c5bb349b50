import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// Faults planted on a running stack (the acceptance suite's second round): status names
    /// each, and `up` repairs it and says so.
    @Suite(.needsLab) struct PlantedFaultE2ETests {
        /// Pool admin on the middle's host, over a unix socket: its socket directory made one the
        /// middle's user cannot enter.
        @Test(arguments: LabKind.allCases)
        func aSocketDirectoryTheMiddleCannotEnterIsNamedAndRepaired(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "nginx", kind: kind) { dir, _ in
                let manifest = try LabE2ETests.manifest(server: "nginx", kind: kind, in: dir) {
                    try $0.set("pools.admin.hosts", .scalar("middle1", quoted: false))
                }
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
                #expect(try LabE2ETests.up(manifest).status == 0)
                let run = "\(kind.dir)2/srv/stackctl/shop/run/admin"
                #expect(chmod(run, 0o700) == 0 && chown(run, 0, 0) == 0)
                let status = try Lab.StatusE2ETests.status(manifest)
                #expect(status.status == 8, "\(status.text.prefix(600))")
                let admin = status.report.instance(host: "middle1", name: "admin/0")
                #expect(admin?.healthy == false && admin?.why?.hasPrefix("the middle server's user www-data cannot enter /srv/stackctl/shop/run/admin (700 root:root)") == true,
                        "\(String(describing: admin))")
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(up.report.byHost["middle1"]?.repaired.contains { $0.hasPrefix("/srv/stackctl/shop/run/admin: it was 700 root:root, now 750 ") } == true,
                        "\(String(describing: up.report.byHost["middle1"]))")
                #expect(try Lab.StatusE2ETests.status(manifest).status == 0)
            }
        }
    }
}
