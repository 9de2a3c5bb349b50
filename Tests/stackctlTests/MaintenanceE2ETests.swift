import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// `stackctl maintenance on|off` under steady load through the front, on both kinds of host,
    /// with a middle tier and Apache-only: the site answers 503 with Retry-After and the page,
    /// the health path and the allowed network still reach the app, `up` keeps it on, and no
    /// request fails but the intended 503s.
    @Suite(.serialized, .needsLab) struct MaintenanceE2ETests {
        struct Answer {
            var status: Int
            var headers: String
            var body: String
        }

        /// A GET through the front, from `from` (a loopback address), with its headers.
        static func get(_ url: String, from: String = "127.0.0.1") throws -> Answer {
            precondition(url.hasPrefix("http://127."), "tests only talk to loopback addresses")
            let r = try CLITests.capture(["/usr/bin/curl", "-s", "--noproxy", "*", "-m", "10", "--interface", from, "-D", "-", "-o", "-", url])
            let parts = r.stdout.components(separatedBy: "\r\n\r\n")
            let status = Int(parts.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            return Answer(status: status, headers: parts.first ?? "", body: parts.dropFirst().joined(separator: "\r\n\r\n"))
        }

        static func exercise(_ manifest: String, _ dir: URL, front: String, path: String, health: String) throws {
            let cfg = LabE2ETests.sshConfig
            let counts = try RolloutE2ETests.underLoad(dir, front: front, path: path) {
                let on = try CLITests.stackctl(["maintenance", "on", "--message", "Upgrading the database", "--retry-after", "120", "-f", manifest, "-F", cfg])
                #expect(on.status == 0, "\(on.stderr)")
                let shut = try Self.get(front + path)
                #expect(shut.status == 503 && shut.headers.contains("Retry-After: 120") && shut.body.contains("Upgrading the database"),
                        "\(shut.headers)\n\(shut.body.prefix(300))")
                #expect(try Self.get(front + path, from: "127.0.0.99").status == 200, "the allowed network reaches the app")
                #expect(try Self.get(front + health).status == 200, "the health path reaches the app")
                let status = try CLITests.stackctl(["status", "-f", manifest, "-F", cfg])
                #expect(status.status == 0 && status.stdout.contains("MAINTENANCE since ") && status.stdout.contains(": Upgrading the database"), "\(status.stdout)")
                let shown = try CLITests.stackctl(["maintenance", "status", "-f", manifest, "-F", cfg])
                #expect(shown.status == 0 && shown.stdout.contains("front1: on since "), "\(shown.stdout)")
                // up changes nothing here, and leaves maintenance on.
                try LabE2ETests.expectUp(manifest)
                #expect(try Self.get(front + path).status == 503, "up keeps maintenance on")
                Thread.sleep(forTimeInterval: 1)
                let off = try CLITests.stackctl(["maintenance", "off", "-f", manifest, "-F", cfg])
                #expect(off.status == 0, "\(off.stderr)")
                #expect(try Self.get(front + path).status == 200)
                Thread.sleep(forTimeInterval: 1)
            }
            let statuses = counts["statuses"] as? [String: Int] ?? [:]
            #expect((counts["errors"] as? Int) == 0 && Set(statuses.keys).isSubset(of: ["503"]), "\(counts)")
            #expect((counts["ok"] as? Int ?? 0) > 0 && (statuses["503"] ?? 0) > 0, "\(counts)")
            print("maintenance on and off under load: \(counts["ok"] ?? 0) answered 200, \(statuses["503"] ?? 0) the intended 503, "
                  + "\(counts["errors"] ?? 0) failed")
        }

        @Test(arguments: LabKind.allCases)
        func onAndOffUnderLoadWithAMiddleTier(kind: LabKind) throws {
            try LabE2ETests.withStack(server: "lighttpd", kind: kind) { dir, manifest in
                let text = try editYAML(try String(contentsOfFile: manifest, encoding: .utf8)) {
                    try $0.set("front.maintenance", .map([.init(key: "allow", value: ["127.0.0.99/32"])]))
                }
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                try LabE2ETests.expectUp(manifest)
                try Self.exercise(manifest, dir, front: kind.front, path: "/", health: "/health")
            }
        }

        @Test func onAndOffUnderLoadApacheOnly() throws {
            let kind = LabKind.plain
            try LabE2ETests.withApp { dir in
                let manifest = dir.appendingPathComponent("direct.yml").path
                let text = try editYAML(try kind.adapt(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/direct.yml"), encoding: .utf8))) {
                    try $0.set("front.maintenance", .map([.init(key: "allow", value: ["127.0.0.99"])]))
                }
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]) }
                try LabE2ETests.expectUp(manifest)
                try Self.exercise(manifest, dir, front: kind.front, path: "/shop/cart", health: "/health")
            }
        }
    }
}
