import Foundation
import Testing
import StackKitTesting

extension Lab {
    /// A static directory shipped as releases: a new release of code and assets goes out under
    /// load, and every page's asset (named by the release that served the page) is found.
    @Suite(.serialized, .needsLab) struct StaticReleasesE2ETests {
        static func write(_ dir: URL, version: String, dropping old: String? = nil) throws {
            let assets = dir.appendingPathComponent("static")
            try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
            for file in ["health.txt", "site.css"] where !FileManager.default.fileExists(atPath: assets.appendingPathComponent(file).path) {
                try FileManager.default.copyItem(at: CLITests.repo.appendingPathComponent("examples/static/\(file)"), to: assets.appendingPathComponent(file))
            }
            try "body { content: '\(version)' }\n".write(to: assets.appendingPathComponent("app-\(version).css"), atomically: true, encoding: .utf8)
            if let old { try FileManager.default.removeItem(at: assets.appendingPathComponent("app-\(old).css")) }
            try "/static/app-\(version).css\n".write(to: dir.appendingPathComponent("app/asset.txt"), atomically: true, encoding: .utf8)
        }

        @Test(arguments: ["lighttpd", "nginx"])
        func aNewReleaseOfCodeAndAssetsUnderLoadLosesNoAsset(server: String) throws {
            try LabE2ETests.withApp { dir in
                // A first release no lab host has had (the app's text is unique to this run).
                try RolloutE2ETests.edit(dir) { $0 + "\n# \(UUID().uuidString)\n" }
                try Self.write(dir, version: "v1")
                let text = try editYAML(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/releases.yml"), encoding: .utf8)) {
                    try $0.set("middle.server", .scalar(server, quoted: false))
                }
                let manifest = dir.appendingPathComponent("releases.yml").path
                try text.write(toFile: manifest, atomically: true, encoding: .utf8)
                let cfg = LabE2ETests.sshConfig
                defer { _ = try? CLITests.stackctl(["down", "-f", manifest, "-F", cfg]) }

                let first = try LabE2ETests.up(manifest)
                #expect(first.status == 0, "\(first.stderr)")
                let v1 = try LabE2ETests.get("\(LabKind.plain.front)/static/app-v1.css")
                #expect(v1.status == 200 && v1.contentType.hasPrefix("text/css"))
                #expect(try LabE2ETests.get("\(LabKind.plain.front)/page").json["asset"] == "/static/app-v1.css")

                // v2 of both; the source no longer has v1's asset.
                try Self.write(dir, version: "v2", dropping: "v1")
                var up = CLITests.Result(status: -1, stdout: "", stderr: "")
                let load = try RolloutE2ETests.underLoad(dir) { up = try CLITests.stackctl(["rollout", "main", "-f", manifest, "-F", cfg]) }
                #expect(up.status == 0, "\(up.stderr)")
                let placed = try #require(up.stderr.range(of: "static static: release"))
                let switched = try #require(up.stderr.range(of: "main switched to release"))
                #expect(placed.lowerBound < switched.lowerBound, "the assets are live before any worker switches")
                #expect(load["errors"] as? Int == 0 && load["non_2xx"] as? Int == 0 && load["asset_errors"] as? Int == 0, "\(server): \(load)")
                #expect((load["assets"] as? Int ?? 0) > 100 && (load["releases"] as? [String: Int])?.count == 2, "both releases answered: \(load)")

                // Served together until the next release of the directory.
                #expect(try LabE2ETests.get("\(LabKind.plain.front)/static/app-v1.css").status == 200)
                #expect(try LabE2ETests.get("\(LabKind.plain.front)/static/app-v2.css").status == 200)
                #expect(try LabE2ETests.get("\(LabKind.plain.front)/page").json["asset"] == "/static/app-v2.css")
            }
        }
    }
}
