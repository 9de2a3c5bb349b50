import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// A shipped static directory holding a link to /etc/passwd never reaches a host, whichever
    /// router would serve it: `up` refuses to build its release (exit 7), nothing changed.
    @Suite(.needsLab) struct StaticLinkE2ETests {
        @Test(arguments: ["lighttpd", "nginx", "direct"])
        func aLinkOutOfAShippedStaticDirectoryIsNeverShipped(router: String) throws {
            try LabE2ETests.withApp { dir in
                let example = router == "direct" ? "examples/direct.yml" : "examples/releases.yml"
                let manifest = dir.appendingPathComponent("deploy.yml").path
                try editYAML(try String(contentsOf: CLITests.repo.appendingPathComponent(example), encoding: .utf8)) {
                    if router != "direct" { try $0.set("middle.server", .scalar(router, quoted: false)) }
                }.write(toFile: manifest, atomically: true, encoding: .utf8)
                try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("static/passwd").path, withDestinationPath: "/etc/passwd")
                let up = try CLITests.stackctl(["up", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(up.status == 7, "\(router): \(up.stderr)")
                #expect((up.stdout + up.stderr).contains("holds passwd, a symbolic link to /etc/passwd outside it, which the server would follow"), "\(up.stdout)\(up.stderr)")
                #expect(!up.stderr.contains("uploaded"), "nothing reached a host")
            }
        }
    }
}
