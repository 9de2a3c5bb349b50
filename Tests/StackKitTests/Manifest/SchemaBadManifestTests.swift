import Foundation
import Testing
@testable import StackKit

/// The bad-manifest tables against the schema: each case is refused, unless its rule is one a
/// schema cannot say (named here with the reason) or the YAML itself is broken (an editor's
/// YAML parser reports those before any schema).
@Suite struct SchemaBadManifestTests {
    static let beyondSchema: [String: String] = {
        var reasons: [String: String] = [:]
        let crossReference = "names another section's entry", computed = "a size or count computed from several keys"
        let exposure = "compares directories of several sections", placement = "compares several hosts or accounts"
        for name in ["unknown host in front", "misspelt host", "route to unknown pool", "pool with no route"] { reasons[name] = crossReference }
        for name in ["two routes one prefix", "unix socket across hosts", "port clash", "two local hosts", "two hosts at one address",
                     "names that differ only in case", "pool named like the middle tier under supervisord", "server name listed twice",
                     "front as root", "lighttpd as root", "pool as nobody under systemd",
                     "pool with secrets whose user is the middle's by number", "pool with secrets sharing the middle's group as 033 and 33"] { reasons[name] = placement }
        // JSON object keys are compared as written: `.css` and `CSS` are two keys to a schema.
        reasons["mime extension with and without its dot"] = "compares keys after normalising them"
        for name in ["too many prefork workers", "socket path too long", "supervisord socket too long"] { reasons[name] = computed }
        for name in ["static root in project", "alias hides route", "static root equal to code after '//'", "static root equal to code after '.'",
                     "static root '/' spelled '//.'", "static root inside base", "alias into stackctl's directory", "alias above the code",
                     "static root in a release directory", "paste file under the static root"] { reasons[name] = exposure }
        return reasons
    }()

    static let brokenYAML: Set<String> = ["yaml syntax", "tab indentation", "duplicate key", "flow sequences nested thousands deep",
                                          "mappings nested thousands deep", "second document", "raw control byte"]

    @Test(.needsJSONSchema) func everyBadManifestASchemaCanSayIsRefused() throws {
        guard try SchemaTests.validatorHere() else { return }
        var cases: [SchemaValidator.Case] = [], broken: Set<String> = []
        for (name, yaml, _) in BadManifestCases.all + HostileManifestCases.all {
            guard let json = try? YAMLJSON.json(yaml) else {
                broken.insert(name)
                continue
            }
            cases.append(.init(name: name, schema: "manifest", instance: json))
        }
        #expect(broken == Self.brokenYAML)
        let results = try SchemaValidator.check(cases, schemas: ["manifest": JSONSchema.manifest])
        var refused = 0
        for c in cases {
            let result = try #require(results[c.name])
            if let reason = Self.beyondSchema[c.name] {
                #expect(result.valid, "\(c.name): listed as beyond a schema (\(reason)), but the schema refuses it: \(result.error ?? "")")
            } else {
                #expect(!result.valid, "\(c.name): the schema takes it")
                refused += 1
            }
        }
        print("schema: refused \(refused) of \(cases.count) bad manifests; \(Self.beyondSchema.count) beyond a schema; \(broken.count) broken YAML")
    }

    /// One manifest breaking each rule between keys that the shapes declare: both the decoder
    /// and the schema refuse each. (Line 14 is `wsgi`, 15 `directory`; appended lines join pool main.)
    static let keyRuleCases: [(String, String)] = [
        ("wsgi and paste", BadManifestCases.appending("    paste: /srv/app.ini")),
        ("neither wsgi nor paste", BadManifestCases.replacing(14, with: "    user: app")),
        ("python and virtualenv", BadManifestCases.appending("    python: /usr/bin/python3\n    virtualenv: /srv/venv")),
        ("source and directory", BadManifestCases.appending("    source: /tmp")),
        ("neither source nor directory", BadManifestCases.replacing(15, with: "    user: app")),
        ("ref without source", BadManifestCases.appending("    ref: main")),
        ("release_command without source", BadManifestCases.appending("    release_command: make migrate")),
        ("threaded with prefork settings", BadManifestCases.appending("    server: threaded\n    prefork: { max_children: 4 }")),
        ("prefork with threaded settings", BadManifestCases.appending("    server: prefork\n    threaded: { max_threads: 4 }")),
        ("secret from both", BadManifestCases.appending("    env: { KEY: { from_env: A, from_file: b.txt } }")),
        ("secret from neither", BadManifestCases.appending("    env: { KEY: {} }")),
        ("secret timeout without a command", BadManifestCases.appending("    env: { KEY: { from_env: A, timeout: 5s } }")),
        ("certificate twice", BadManifestCases.replacing(6, with: "  hosts: [a]\n  tls: { certificate: c.pem, certificate_path: /c.pem, key_path: /k.pem }")),
        ("no key", BadManifestCases.replacing(6, with: "  hosts: [a]\n  tls: { certificate_path: /c.pem }")),
        ("acme and a certificate", BadManifestCases.replacing(6, with: "  hosts: [a]\n  server_names: [a.example.com]\n  tls: { acme: { email: a@example.com }, certificate_path: /c.pem }")),
        ("local host with ssh", BadManifestCases.replacing(4, with: "  b: { local: yes, ssh: web }")),
        ("host neither local nor addressed", BadManifestCases.replacing(4, with: "  b: { local: false }")),
        ("static under both tiers", BadManifestCases.replacing(6, with: "  hosts: [a]\n  static: { root: /srv/s }")),
        ("no middle, static only", BadManifestCases.valid.replacingOccurrences(of: "middle:\n  server: nginx\n  hosts: [a]\n  static: { root: /srv/static }\n  routes: { /: main }\n", with: "  static: { root: /srv/static }\n")),
    ]

    @Test(.needsJSONSchema) func everyRuleBetweenKeysIsRefusedByBoth() throws {
        guard try SchemaTests.validatorHere() else { return }
        var cases: [SchemaValidator.Case] = []
        for (name, yaml) in Self.keyRuleCases {
            #expect(!Fixtures.problems(yaml).isEmpty, "\(name): the decoder takes it")
            cases.append(.init(name: name, schema: "manifest", instance: try #require(try YAMLJSON.json(yaml))))
        }
        let results = try SchemaValidator.check(cases, schemas: ["manifest": JSONSchema.manifest])
        for c in cases { #expect(results[c.name]?.valid == false, "\(c.name): the schema takes it") }
        // Each kind of rule the shapes declare is among the cases above.
        let kinds = Set(ManifestShape.root.all.flatMap(\.rules).map { "\($0)".prefix { $0 != "(" } })
        #expect(kinds == ["exactlyOne", "atMostOne", "either", "flagged", "whenValue", "router", "requires", "otherwise"])
    }
}
