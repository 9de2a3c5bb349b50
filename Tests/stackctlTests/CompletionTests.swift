import Foundation
import Testing

/// Completion in the real shells: each script `stackctl completion SHELL` prints is loaded into
/// bash, zsh (interactive, in a zpty) and fish, and a command line is completed as TAB would.
/// Pools, tiers and hosts come from the manifest the line names, or ./deploy.yml.
@Suite(.serialized) struct CompletionTests {
    /// The line to complete, and what must be offered (exactly).
    static let lines: [(line: String, offered: Set<String>)] = [
        ("stackctl rollout -f FILE ", ["main", "admin"]),
        ("stackctl rollout -f FILE a", ["admin"]),
        ("stackctl restart --file FILE ", ["main", "admin", "middle", "front"]),
        ("stackctl logs --file=FILE --host ", ["edge", "web", "app1", "app2"]),
        ("stackctl restart -f FILE --hosts web,", ["web,edge", "web,app1", "web,app2"]),
        ("stackctl history -f FILE --host ap", ["app1", "app2"]),
        ("stackctl exec -f FILE m", ["main"]),
        // Without -f: ./deploy.yml, the one in the directory the shell is in.
        ("stackctl rollback ", ["main", "admin"]),
    ]

    static func scene() throws -> (dir: URL, file: String) {
        let dir = try CLITests.scratch()
        let text = try String(contentsOf: CLITests.repo.appendingPathComponent("Tests/Fixtures/manifests/full.yml"), encoding: .utf8)
        try text.write(to: dir.appendingPathComponent("deploy.yml"), atomically: true, encoding: .utf8)
        try text.write(to: dir.appendingPathComponent("other.yml"), atomically: true, encoding: .utf8)
        return (dir, dir.appendingPathComponent("other.yml").path)
    }

    static func shell(_ name: String) -> String? {
        let path = "/usr/bin/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        Issue.record("\(name) is missing: a test that needs it carries .needsShell")
        return nil
    }

    static func run(_ argv: [String], in dir: URL) throws -> CLITests.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        p.currentDirectoryURL = dir
        var env = CLITests.env
        env["PATH"] = URL(fileURLWithPath: CLITests.binary).deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["HOME"] = dir.path
        env["XDG_CONFIG_HOME"] = dir.path + "/.config"
        p.environment = env
        return try CLITests.collect(p)
    }

    static func script(_ shell: String) throws -> String {
        let r = try CLITests.stackctl(["completion", shell])
        #expect(r.status == 0)
        return r.stdout
    }

    @Test(.needsShell("bash")) func bashOffersTheManifestsNames() throws {
        guard let bash = Self.shell("bash") else { return }
        let (dir, file) = try Self.scene()
        try Self.script("bash").write(to: dir.appendingPathComponent("stackctl.bash"), atomically: true, encoding: .utf8)
        for (line, offered) in Self.lines {
            let text = line.replacingOccurrences(of: "FILE", with: file)
            // As readline splits the line: at blanks, and around '=' (one of COMP_WORDBREAKS).
            let words = text.split(separator: " ", omittingEmptySubsequences: false)
                .flatMap { $0.contains("=") ? $0.split(separator: "=", omittingEmptySubsequences: false).flatMap { [$0, "="] }.dropLast() : [$0] }
                .map { "'\($0)'" }.joined(separator: " ")
            let r = try Self.run([bash, "-c", """
                source ./stackctl.bash
                COMP_LINE='\(text)'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(\(words)); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                _stackctl stackctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "${COMPREPLY[@]}"
                """], in: dir)
            #expect(Set(r.stdout.split(separator: "\n").map(String.init)) == offered, "bash: \(line)\n\(r.stderr)")
        }
    }

    @Test(.needsShell("fish")) func fishOffersTheManifestsNames() throws {
        guard let fish = Self.shell("fish") else { return }
        let (dir, file) = try Self.scene()
        try Self.script("fish").write(to: dir.appendingPathComponent("stackctl.fish"), atomically: true, encoding: .utf8)
        for (line, offered) in Self.lines {
            let text = line.replacingOccurrences(of: "FILE", with: file)
            let r = try Self.run([fish, "--no-config", "-c", "source ./stackctl.fish; complete -C '\(text)'"], in: dir)
            // Each line is a match, then a tab and its description.
            let got = Set(r.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) })
            #expect(got == offered, "fish: \(line)\n\(r.stderr)")
        }
    }

    @Test(.needsShell("zsh")) func zshOffersTheManifestsNames() throws {
        guard let zsh = Self.shell("zsh") else { return }
        let (dir, file) = try Self.scene()
        let functions = dir.appendingPathComponent("zfunc")
        try FileManager.default.createDirectory(at: functions, withIntermediateDirectories: true)
        try Self.script("zsh").write(to: functions.appendingPathComponent("_stackctl"), atomically: true, encoding: .utf8)
        let harness = CLITests.repo.appendingPathComponent("Tests/Fixtures/completion/zsh-complete.zsh").path
        for (line, offered) in Self.lines {
            let text = line.replacingOccurrences(of: "FILE", with: file)
            let r = try Self.run(["/usr/bin/timeout", "20", zsh, "-f", harness, functions.path, text], in: dir)
            let got = Set(r.stdout.replacingOccurrences(of: "\r", with: "").matches(of: /<([^<>\n]+)>/).map { String($0.1) }).subtracting(["done"])
            #expect(got == offered, "zsh: \(line)\n\(r.stdout.suffix(400))")
        }
    }
}
