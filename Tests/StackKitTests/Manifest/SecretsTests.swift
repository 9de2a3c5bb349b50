import Foundation
import Testing
@testable import StackKit

/// Secrets in `env`: taken from the operator's environment or a local file, never printed,
/// and on a host only in pool.json for the pool's own account.
@Suite struct SecretsTests {
    static func manifest(_ env: String, pool extra: String = "", environment: [String: String] = [:], base: String? = nil,
                         commands: (any SecretCommandRunner)? = nil, requireSecrets: Bool = true) throws(ManifestError) -> Manifest {
        try ManifestLoader.parse("""
        name: shop
        hosts: { web: { address: 127.0.0.1 } }
        front: { hosts: [web] }
        middle: { server: nginx, hosts: [web], static: { root: /srv/shop/static }, routes: { /: main } }
        pools:
          main:
            wsgi: hello:application
            directory: /srv/shop/app
            hosts: [web]
            env:
        \(env)
        \(extra)
        """, sourceBase: base, environment: environment, commands: commands, requireSecrets: requireSecrets)
    }

    static func problems(_ env: String, pool extra: String = "", environment: [String: String] = [:], base: String? = nil) -> [Diagnostic] {
        do {
            _ = try manifest(env, pool: extra, environment: environment, base: base)
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func aSecretFromTheEnvironmentReachesPoolJSONAndNothingPrinted() throws {
        let secret = #"pa"ss\word/€"#
        let m = try Self.manifest("      GREETING: hello\n      DB_PASSWORD: { from_env: SHOP_DB }", environment: ["SHOP_DB": secret])
        let pool = try #require(m.pool(named: "main"))
        #expect(pool.secretKeys == ["DB_PASSWORD"])
        #expect(pool.environment.map(\.1) == ["hello", secret])
        let json = try #require(StackRenderer(m).renderAll().first?.files.first { $0.path.hasSuffix("pool.json") })
        #expect(json.contents.contains(#""pa\"ss\\word/€""#), "the value is in pool.json, JSON-escaped")
        #expect(json.mode == 0o440 && json.owner == "shop-main" && json.group == "shop-main")
        let redacted = m.redactor(json.contents)
        #expect(!redacted.contains("pa\\\"ss") && redacted.contains(#""[secret main.DB_PASSWORD]""#))
        #expect(m.redactor("error: \(secret) refused") == "error: [secret main.DB_PASSWORD] refused")
        #expect(m.redactor("GREETING hello") == "GREETING hello", "plain values are not secrets")
    }

    @Test func anUnsetVariableIsAnErrorAtItsPositionNamingTheVariable() {
        let found = Self.problems("      DB_PASSWORD: { from_env: SHOP_DB }", environment: ["OTHER": "x"])
        #expect(found.map(\.path) == ["pools.main.env.DB_PASSWORD.from_env"])
        #expect(found.first?.mark == Mark(line: 11, column: 32))
        #expect(found.first?.message == "the environment variable SHOP_DB is not set")
    }

    @Test func aSecretFileIsReadBesideTheManifestWithoutItsTrailingNewline() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("secrets"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "s3cr3t-key\n".write(to: dir.appendingPathComponent("secrets/key"), atomically: true, encoding: .utf8)
        let m = try Self.manifest("      SECRET_KEY: { from_file: secrets/key }", base: dir.path)
        #expect(m.pool(named: "main")?.environment.first?.1 == "s3cr3t-key")
        #expect(m.redactor("key=s3cr3t-key") == "key=[secret main.SECRET_KEY]")
        let missing = Self.problems("      SECRET_KEY: { from_file: secrets/nope }", base: dir.path)
        #expect(missing.map(\.path) == ["pools.main.env.SECRET_KEY.from_file"])
        #expect(missing.first?.message == "cannot read the secret file '\(dir.standardizedFileURL.path)/secrets/nope'")
    }

    @Test func aSecretNeedsExactlyOneSource() {
        #expect(Self.problems("      A: { from_env: X, from_file: y }", environment: ["X": "1"]).map(\.message) == ["give one of 'from_env', 'from_file', not both"])
        #expect(Set(Self.problems("      A: { form_env: X }").map(\.message)) == ["unknown key 'form_env'", "a secret needs 'from_env: NAME', 'from_file: PATH' or 'from_command: COMMAND'"])
        #expect(Self.problems("      A: { from_env: 'X Y' }").map(\.path) == ["pools.main.env.A.from_env"])
    }

    /// Redaction hides a secret's text wherever it appears: one as short as a port would hide
    /// ports too (and so tell anyone who compares what it is). Such a value is refused.
    @Test func aSecretShorterThanEightCharactersIsRefused() {
        let short = Self.problems("      DB: { from_env: X }", environment: ["X": "8000"])
        #expect(short.map(\.description) == ["11:23: pools.main.env.DB.from_env: the secret from X is 4 characters; secrets have at least 8 (a value that short is no secret: put it in env as it is, or use a longer one)"],
                "\(short.map(\.description))")
        #expect(Self.problems("      DB: { from_env: X }", environment: ["X": "12345678"]).isEmpty)
    }

    @Test func aPoolWithSecretsMustNotShareTheMiddlesAccount() {
        let found = Self.problems("      DB: { from_env: X }", pool: "    user: www-data", environment: ["X": "correct horse"])
        #expect(found.map(\.path) == ["pools.main.user"])
        #expect(found.first?.message == "pool 'main' has secrets (env DB) but shares the middle server's user 'www-data', which could read them")
        #expect(Self.problems("      DB: hello", pool: "    user: www-data").isEmpty, "without secrets the old sharing stays allowed")
    }

    @Test func poolsGetTheirOwnAccountUnlessTheyNameOne() throws {
        let m = try Self.manifest("      A: b", pool: "    group: shop")
        let pool = try #require(m.pool(named: "main"))
        #expect((pool.user, pool.ownUser, pool.group, pool.ownGroup) == ("shop-main", true, "shop", false))
        // Always a name useradd takes.
        #expect(Pool.ownAccount(stack: "Shop", pool: "Main") == "shop-main")
        #expect(Pool.ownAccount(stack: "8ball", pool: "api") == "_8ball-api")
        let long = Pool.ownAccount(stack: "a-very-long-stack-name-for-this", pool: "main")
        #expect(long.count == 31 && long.hasPrefix("a-very-long-stack-name") && long != Pool.ownAccount(stack: "a-very-long-stack-name-for-that", pool: "main"))
    }

    @Test func jsonEscapedFormsAreRedactedToo() {
        let r = Redactor([("p.K", "a\"b\nc")])
        #expect(r(#"{"v": "a\"b\nc"}"#) == #"{"v": "[secret p.K]"}"#)
        #expect(r("raw a\"b\nc") == "raw [secret p.K]")
        #expect(r(#"{"answer": "200 {\"v\": \"a\\\"b\\nc\"}"}"#) == #"{"answer": "200 {\"v\": \"[secret p.K]\"}"}"#, "an app's JSON quoted in ours")
        #expect(Redactor([("p.E", "")]).isEmpty, "an empty value hides nothing")
    }
}

extension SecretsTests {
    /// status, down, logs and the like write no pool.json: a secret not set is no error for them,
    /// and status leaves that pool.json out of drift.
    @Test func commandsThatWriteNoPoolJSONDoNotNeedTheSecrets() throws {
        let yaml = """
        name: shop
        hosts: { web: { address: 127.0.0.1 } }
        front: { hosts: [web] }
        middle: { server: nginx, hosts: [web], static: { root: /srv/shop/static }, routes: { /: main } }
        pools: { main: { wsgi: a:b, directory: /srv/app, hosts: [web], env: { DB: { from_env: NOT_SET_HERE }, K: { from_file: /nonexistent/key } } } }
        """
        #expect(throws: ManifestError.self) { try ManifestLoader.parse(yaml, sourceBase: "/tmp", environment: [:]) }
        let m = try ManifestLoader.parse(yaml, sourceBase: "/tmp", environment: [:], requireSecrets: false)
        #expect(m.pool(named: "main")?.unresolvedSecrets == ["DB", "K"])
        // A problem of another kind is still one.
        let broken = yaml.replacingOccurrences(of: "from_env: NOT_SET_HERE", with: "from_env: 'NOT SET'")
        #expect(throws: ManifestError.self) { try ManifestLoader.parse(broken, environment: [:], requireSecrets: false) }
    }
}
