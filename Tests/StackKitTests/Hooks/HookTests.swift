import Foundation
import Testing
@testable import StackKit

/// The operator's hooks in `.stackctl/hooks/`: found when executable, told the run through
/// their environment, their output shown with secrets hidden.
@Suite struct HookTests {
    static func directory(_ hooks: [String: (text: String, mode: Int)]) throws -> (manifest: String, root: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hooks-\(UUID().uuidString)")
        let dir = root.appendingPathComponent(".stackctl/hooks")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, hook) in hooks {
            let url = dir.appendingPathComponent(name)
            try Data(hook.text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: hook.mode], ofItemAtPath: url.path)
        }
        return (root.appendingPathComponent("deploy.yml").path, root)
    }

    static let context: HookContext = {
        var c = HookContext(command: "up", stack: "shop", hosts: ["front1", "app1"], operatorName: "ann@ws1")
        c.releases = ["main": "3f2a9c1d0e4b", "admin": "77aa00bb11cc"]
        c.outcome = "ok"
        c.seconds = 4.25
        return c
    }()

    @Test func eachCommandHasItsHooks() {
        #expect(Hook.around("up") == (.preDeploy, .postDeploy))
        #expect(Hook.around("rollout main") == (.preRollout, .postRollout) && Hook.around("rollback") == (.preRollout, .postRollout))
        #expect(Hook.around("down") == (nil, nil) && Hook.around("restart main") == (nil, nil))
        #expect(Hook.allCases.filter(\.stops) == [.preConnect, .preDeploy, .preRollout])
    }

    @Test func aHookIsToldTheRunAndItsOutputHidesSecrets() throws {
        let script = "#!/bin/sh\necho \"$STACKCTL_COMMAND|$STACKCTL_STACK|$STACKCTL_HOSTS|$STACKCTL_OPERATOR|$STACKCTL_RELEASES|$STACKCTL_OUTCOME|$STACKCTL_SECONDS|$STACKCTL_DESTINATION\"\n"
            + "echo 'db password is correct-horse-42' >&2\n"
        let (manifest, root) = try Self.directory(["post-deploy": (script, 0o755), "pre-deploy": ("#!/bin/sh\nexit 0\n", 0o644)])
        defer { try? FileManager.default.removeItem(at: root) }
        let hooks = Hooks(manifestFile: manifest, redactor: Redactor([(name: "main.DB", value: "correct-horse-42")]))
        #expect(hooks.fire(.preDeploy, Self.context) == nil, "a file that is not executable is no hook")
        #expect(hooks.fire(.onFailure, Self.context) == nil)
        let ran = try #require(hooks.fire(.postDeploy, Self.context))
        #expect(ran.ok && ran.summary == "post-deploy hook ran")
        #expect(ran.output == "up|shop|front1 app1|ann@ws1|admin=77aa00bb11cc main=3f2a9c1d0e4b|ok|4.2|\ndb password is [secret main.DB]")
    }

    @Test func aFailingHookSaysItsExit() throws {
        let (manifest, root) = try Self.directory(["pre-deploy": ("#!/bin/sh\necho 'tests are red on main' >&2\nexit 3\n", 0o755)])
        defer { try? FileManager.default.removeItem(at: root) }
        let failed = try #require(Hooks(manifestFile: manifest, redactor: Redactor()).fire(.preDeploy, Self.context))
        #expect(!failed.ok && failed.summary == "pre-deploy hook failed (exit 3)" && failed.output == "tests are red on main")
    }

    /// init's samples: each does nothing, and post-deploy's tells a chat webhook, its URL a secret
    /// from the environment: the body it posts is JSON with the run in words.
    @Test func theSamplesDoNothingButTheWebhookOnePosts() throws {
        #expect(SampleHooks.files.map(\.name) == Hook.allCases.map { $0.rawValue + ".sample" })
        let (manifest, root) = try Self.directory(Dictionary(uniqueKeysWithValues: SampleHooks.files.map { ($0.name.replacingOccurrences(of: ".sample", with: ""), ($0.text, 0o755)) }))
        defer { try? FileManager.default.removeItem(at: root) }
        var hooks = Hooks(manifestFile: manifest, redactor: Redactor())
        for hook in Hook.allCases where hook != .postDeploy {
            #expect(hooks.fire(hook, Self.context) == HookResult(hook: hook, status: 0, output: ""))
        }
        #expect(hooks.fire(.postDeploy, Self.context)?.ok == true, "no URL: nothing posted")
        // A stand-in for curl records what it was asked to send.
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try Data("#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$CURL_ARGS\"\n".utf8).write(to: bin.appendingPathComponent("curl"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("curl").path)
        let args = root.appendingPathComponent("args").path
        hooks.run = { path, environment in
            var e = environment
            e["PATH"] = bin.path + ":" + (e["PATH"] ?? "/usr/bin:/bin")
            e["DEPLOY_WEBHOOK_URL"] = "http://127.0.0.1:9/hook"
            e["CURL_ARGS"] = args
            return LocalProcess.run([path], environment: e, timeout: .seconds(10))
        }
        var quoted = Self.context
        quoted.operatorName = #"ann "the admin" \ ops"#
        #expect(hooks.fire(.postDeploy, quoted)?.ok == true)
        let sent = try String(contentsOfFile: args, encoding: .utf8).split(separator: "\n").map(String.init)
        let body = try #require(sent.firstIndex(of: "-d").map { sent[$0 + 1] })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(json["text"] == #"ann "the admin" \ ops ran 'up' on shop: ok in 4.2s. admin=77aa00bb11cc main=3f2a9c1d0e4b"#)
        #expect(sent.last == "/dev/null" && sent.contains("http://127.0.0.1:9/hook"))
    }
}
