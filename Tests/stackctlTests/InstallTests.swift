import Foundation
import Testing

/// What `scripts/install --debug PREFIX` put in the scratch PREFIX that scripts/test made
/// (STACKCTL_INSTALLED): the binary, a man page per command, the three completions where each
/// shell looks, and the schema that `stackctl init` points editors at.
@Suite(.needsInstall) struct InstallTests {
    static var prefix: URL? {
        guard let path = CLITests.env["STACKCTL_INSTALLED"] else {
            Issue.record("STACKCTL_INSTALLED is not set: a test that needs it carries .needsInstall")
            return nil
        }
        return URL(fileURLWithPath: path)
    }

    static func run(_ argv: [String], in dir: URL? = nil) throws -> CLITests.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        if let dir { p.currentDirectoryURL = dir }
        return try CLITests.collect(p)
    }

    /// The commands `stackctl --help` lists, subcommands of subcommands included.
    static func commands(_ binary: String, _ path: [String] = []) throws -> [[String]] {
        let help = try run([binary] + path + ["--help"]).stdout
        guard let section = help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first else { return [path] }
        // A name line is indented two spaces; its wrapped description lines are indented more.
        let names = section.split(separator: "\n").prefix { !$0.isEmpty }
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0 != "help" && $0 != "See" && $0.allSatisfy { $0.isLetter || $0 == "-" } }
        guard path.count < 3 else { return [path] }
        return try [path] + names.flatMap { try commands(binary, path + [$0]) }
    }

    @Test func everyCommandHasAManPageMadeFromItsHelp() throws {
        guard let prefix = Self.prefix else { return }
        let binary = prefix.appendingPathComponent("bin/stackctl").path
        #expect(try Self.run([binary, "--version"]).stdout == (try CLITests.stackctl(["--version"])).stdout)
        let commands = try Self.commands(binary)
        #expect(commands.count >= 18 && commands.contains(["rollout"]) && commands.contains(["lock", "release"]) && commands.contains(["completion"]))
        for command in commands {
            let page = prefix.appendingPathComponent("share/man/man1/" + (["stackctl"] + command).joined(separator: ".") + ".1")
            let r = try Self.run(["/usr/bin/man", "-l", page.path])
            #expect(r.status == 0, "man \(page.lastPathComponent): \(r.stderr)")
            // The page says what `--help` says: the abstract's first words, the options.
            let help = try Self.run([binary] + command + ["--help"]).stdout
            let abstract = help.dropFirst("OVERVIEW: ".count).prefix(30)
            let flat = r.stdout.replacingOccurrences(of: "\u{2010}\n", with: "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.contains(abstract.split(whereSeparator: \.isWhitespace).joined(separator: " ")), "\(page.lastPathComponent) lacks '\(abstract)'")
            for option in ["--file", "--batch", "--hosts", "--follow"] where help.contains(option) {
                #expect(flat.contains(option), "\(page.lastPathComponent) lacks \(option)")
            }
        }
    }

    @Test func theCompletionsAndTheSchemaAreWhereShellsAndInitLook() throws {
        guard let prefix = Self.prefix else { return }
        let binary = prefix.appendingPathComponent("bin/stackctl").path
        let share = prefix.appendingPathComponent("share")
        for (file, shell) in [("bash-completion/completions/stackctl", "bash"), ("zsh/site-functions/_stackctl", "zsh"),
                              ("fish/vendor_completions.d/stackctl.fish", "fish")] {
            let installed = try String(contentsOf: share.appendingPathComponent(file), encoding: .utf8)
            #expect(installed == (try CLITests.stackctl(["completion", shell])).stdout, "\(file)")
        }
        let schema = share.appendingPathComponent("stackctl/deploy.schema.json")
        #expect(try String(contentsOf: schema, encoding: .utf8) == (try CLITests.stackctl(["schema"])).stdout)
        let dir = try CLITests.scratch()
        #expect(try Self.run([binary, "init"], in: dir).status == 0)
        let manifest = try String(contentsOf: dir.appendingPathComponent("deploy.yml"), encoding: .utf8)
        #expect(manifest.hasPrefix("# yaml-language-server: $schema=\(schema.path)\n"))
        #expect(try Self.run([binary, "validate"], in: dir).status == 0)
        // Without an installed schema (the build directory's binary), init writes no such line.
        let plain = try CLITests.scratch()
        #expect(try CLITests.stackctl(["init"], in: plain).status == 0)
        #expect(!(try String(contentsOf: plain.appendingPathComponent("deploy.yml"), encoding: .utf8)).contains("yaml-language-server"))
    }
}
