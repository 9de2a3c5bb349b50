import Foundation
import Testing
import StackKitTesting

/// The real applications of Tests/Fixtures/apps (Django, Flask, Paste Deploy), set up in a
/// scratch directory as their walkthroughs say: each pip-installs from the pinned wheelhouse
/// that scripts/wheels fills once, so reruns need no network.
enum RealApps {
    static var wheels: String { ProcessInfo.processInfo.environment["STACKCTL_WHEELS"] ?? "/var/cache/stackctl/wheels" }
    static var testPython: String { ProcessInfo.processInfo.environment["STACKCTL_TEST_PYTHON"] ?? "\(CLITests.repo.path)/.build/venv/bin/python" }

    /// Copies app `name` to `dir/as`, its requirements read from the wheelhouse.
    @discardableResult
    static func copy(_ name: String, to dir: URL, as target: String) throws -> URL {
        let app = dir.appendingPathComponent(target)
        try FileManager.default.copyItem(at: CLITests.repo.appendingPathComponent("Tests/Fixtures/apps/\(name)"), to: app)
        let requirements = app.appendingPathComponent("requirements.txt")
        let pins = try String(contentsOf: requirements, encoding: .utf8)
        try "--no-index\n--find-links \(wheels)\n\(pins)".write(to: requirements, atomically: true, encoding: .utf8)
        return app
    }

    /// The Django project at `dir/mysite`, its secret key in `dir/secret_key` (0600), and
    /// collectstatic's output in `mysite/staticfiles`, as the walkthrough has the operator do.
    static func django(in dir: URL) throws {
        let app = try copy("django", to: dir, as: "mysite")
        let key = dir.appendingPathComponent("secret_key")
        try Data((0..<50).map { _ in UInt8.random(in: 97...122) }).write(to: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
        let collect = try CLITests.capture(["/usr/bin/env", "-C", app.path, "DJANGO_SECRET_KEY=collect", testPython, "manage.py", "collectstatic", "--noinput"])
        #expect(collect.status == 0, "collectstatic: \(collect.stderr)")
    }

    /// Release two of the Django project: a field and the migration that adds it (nullable, so
    /// release one still reads and writes the table after a rollback).
    static func djangoMigration(_ app: URL) throws {
        let models = app.appendingPathComponent("notes/models.py")
        try (try String(contentsOf: models, encoding: .utf8) + "    tag = models.CharField(max_length=20, null=True, blank=True)\n")
            .write(to: models, atomically: true, encoding: .utf8)
        try """
        from django.db import migrations, models


        class Migration(migrations.Migration):
            dependencies = [("notes", "0001_initial")]
            operations = [migrations.AddField(model_name="note", name="tag", field=models.CharField(blank=True, max_length=20, null=True))]

        """.write(to: app.appendingPathComponent("notes/migrations/0002_note_tag.py"), atomically: true, encoding: .utf8)
        let views = app.appendingPathComponent("notes/views.py")
        try (try String(contentsOf: views, encoding: .utf8)).replacingOccurrences(of: "VERSION = \"1\"", with: "VERSION = \"2\"")
            .write(to: views, atomically: true, encoding: .utf8)
    }

    struct Answer {
        var status: Int
        var contentType: String
        var location: String
        var body: String
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]) ?? [:] }
        func string(_ key: String) -> String { json[key].map { "\($0)" } ?? "" }
    }

    /// A request to `site` (its name resolved to a loopback `address`, as a browser would reach
    /// the front); `form` fields are posted, `@FILE` ones uploaded. It comes from 127.0.0.99, a
    /// client address no tier trusts as a proxy (lighttpd's extforward trusts 127.0.0.1, where
    /// the front's connections come from, and reads X-Forwarded-Proto only past a trusted hop).
    static func request(_ site: String, at address: String, _ path: String, scheme: String = "http", form: [String] = []) throws -> Answer {
        precondition(address.hasPrefix("127."), "tests only talk to loopback addresses")
        let port = scheme == "https" ? 443 : 80
        var argv = ["/usr/bin/curl", "-s", "-k", "--noproxy", "*", "-m", "20", "--interface", "127.0.0.99", "--resolve", "\(site):\(port):\(address)",
                    "-o", "-", "-w", "\n%{http_code}|%{content_type}|%{redirect_url}"]
        for field in form { argv += ["-F", field] }
        let r = try CLITests.capture(argv + ["\(scheme)://\(site)\(path)"])
        var lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let meta = lines.removeLast().split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        return Answer(status: Int(meta[0]) ?? 0, contentType: meta.count > 1 ? meta[1] : "", location: meta.count > 2 ? meta[2] : "",
                      body: lines.joined(separator: "\n"))
    }
}
