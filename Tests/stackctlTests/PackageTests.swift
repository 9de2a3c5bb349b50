import Foundation
import Testing

extension Trait where Self == ConditionTrait {
    /// Root, apt and lintian: what building, checking and installing the Debian package takes.
    static var needsPackaging: Self {
        .enabled(if: getuid() == 0 && CLITests.env["STACKCTL_DEB"] != nil
                 && ["/usr/bin/apt-get", "/usr/bin/dpkg-deb", "/usr/bin/lintian"].allSatisfy(FileManager.default.isExecutableFile),
                 "needs root, apt-get, lintian and STACKCTL_DEB, the package scripts/test builds with scripts/package")
    }
}

/// scripts/package's .deb (built by scripts/test) as a user gets it: lintian finds no error or warning; apt installs
/// it on this machine, where the binary, its man page and a completion work; apt removes it and
/// nothing of it is left.
@Suite(.needsPackaging, .serialized) struct PackageTests {
    static func run(_ argv: [String]) throws -> CLITests.Result { try CLITests.capture(argv) }

    @Test func lintianPassesAndAptInstallsAndRemovesIt() throws {
        let out = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: out) }
        let deb = try #require(CLITests.env["STACKCTL_DEB"])
        #expect(deb.hasSuffix("_amd64.deb") && FileManager.default.fileExists(atPath: deb), "\(deb)")

        let lintian = try Self.run(["/usr/bin/lintian", "--fail-on", "error,warning", "--display-info", deb])
        print("lintian: exit \(lintian.status)\n\(lintian.stdout)\(lintian.stderr)")
        #expect(lintian.status == 0, "\(lintian.stdout)\(lintian.stderr)")
        #expect(!lintian.stdout.contains("E: ") && !lintian.stdout.contains("W: "), "\(lintian.stdout)")

        let fields = try Self.run(["/usr/bin/dpkg-deb", "-f", deb, "Depends", "Version"]).stdout
        #expect(fields.contains("libyaml-0-2") && fields.contains("openssh-client") && fields.contains("libc6"), "\(fields)")
        let files = try Self.run(["/usr/bin/dpkg-deb", "-c", deb]).stdout.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).last.map { String($0.dropFirst()) }
        }.filter { !$0.hasSuffix("/") }
        for path in ["/usr/bin/stackctl", "/usr/share/man/man1/stackctl.1.gz", "/usr/share/bash-completion/completions/stackctl",
                     "/usr/share/zsh/vendor-completions/_stackctl", "/usr/share/fish/vendor_completions.d/stackctl.fish",
                     "/usr/share/stackctl/deploy.schema.json", "/usr/share/doc/stackctl/copyright"] {
            #expect(files.contains(path), "\(path) in \(files)")
        }

        let installed = try Self.run(["/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "/usr/bin/apt-get", "install", "-y", "-q", deb])
        defer { _ = try? Self.run(["/usr/bin/apt-get", "purge", "-y", "-q", "stackctl"]) }
        #expect(installed.status == 0, "\(installed.stdout)\(installed.stderr)")
        let version = try Self.run(["/usr/bin/stackctl", "--version"])
        #expect(version.status == 0 && fields.contains("Version: \(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines))"), "\(version.stdout)")
        #expect(try Self.run(["/usr/bin/man", "-w", "stackctl"]).stdout == "/usr/share/man/man1/stackctl.1.gz\n")
        #expect(try Self.run(["/usr/bin/man", "-w", "stackctl.rollout"]).status == 0)
        let completion = try Self.run(["/bin/bash", "-c", "source /usr/share/bash-completion/completions/stackctl && complete -p stackctl"])
        #expect(completion.status == 0 && completion.stdout.contains("stackctl"), "\(completion.stdout)\(completion.stderr)")
        let initialised = try Self.run(["/usr/bin/stackctl", "init", "-f", out.appendingPathComponent("deploy.yml").path])
        #expect(initialised.status == 0, "\(initialised.stderr)")

        let removed = try Self.run(["/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "/usr/bin/apt-get", "purge", "-y", "-q", "stackctl"])
        #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
        #expect(try Self.run(["/usr/bin/dpkg", "-s", "stackctl"]).status != 0, "dpkg no longer knows it")
        let left = files.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(left.isEmpty, "nothing of it is left: \(left)")
        #expect(!FileManager.default.fileExists(atPath: "/usr/share/stackctl") && !FileManager.default.fileExists(atPath: "/usr/share/doc/stackctl"))
    }
}
