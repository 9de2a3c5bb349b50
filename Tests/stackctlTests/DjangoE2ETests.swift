import Foundation
import Testing
import StackKitTesting
import StackKit

extension Lab {
    /// A stock Django 5.2 project in production settings (Tests/Fixtures/apps/django): DEBUG
    /// off, ALLOWED_HOSTS the site's name only, SECRET_KEY a secret, sqlite and uploads in the
    /// pool's data directories, migrations as the release command, collectstatic's output
    /// shipped to the middle.
    @Suite(.needsLab) struct DjangoE2ETests {
        static let site = "mysite.example.test"

        static func down(_ manifest: String) -> Int32 {
            (try? CLITests.stackctl(["down", "-f", manifest, "-F", LabE2ETests.sshConfig]).status) ?? -1
        }

        /// Removes what the stack left on lab hosts `hosts` (its releases and data), once it is down.
        static func forget(_ kind: LabKind, hosts: [Int]) {
            for n in hosts { try? FileManager.default.removeItem(atPath: "\(kind.dir)\(n)/srv/stackctl/mysite") }
        }

        static func notes(_ at: String) throws -> (notes: [String], version: String) {
            let r = try RealApps.request(site, at: at, "/notes/")
            #expect(r.status == 200, "\(r.status) \(r.body.prefix(300))")
            return (r.json["notes"] as? [String] ?? [], r.string("version"))
        }

        /// examples/django.yml, exactly as the README's walkthrough gives it, on this kind's hosts.
        @Test(arguments: LabKind.allCases)
        func theWalkthroughsProjectServesWritesUploadsAndKeepsItsData(kind: LabKind) throws {
            try LabE2ETests.withScratch { dir in
                try RealApps.django(in: dir)
                let manifest = dir.appendingPathComponent("deploy.yml").path
                try kind.adapt(try String(contentsOf: CLITests.repo.appendingPathComponent("examples/django.yml"), encoding: .utf8))
                    .write(toFile: manifest, atomically: true, encoding: .utf8)
                // Data and releases outlive `down` by design: an earlier run's go first, this one's after.
                Self.forget(kind, hosts: [3])
                defer { _ = Self.down(manifest); Self.forget(kind, hosts: [3]) }

                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                let web = kind.address(3)
                let login = try RealApps.request(Self.site, at: web, "/admin/login/")
                #expect(login.status == 200 && login.body.contains("Django administration"), "\(login.status) \(login.body.prefix(300))")
                #expect(try LabE2ETests.get("http://\(web)/admin/login/").status == 400, "ALLOWED_HOSTS holds only the site's name")

                // A page that writes the database, and an upload stored in the data directory and
                // served by the middle from MEDIA_URL, read-only.
                let written = try RealApps.request(Self.site, at: web, "/notes/", form: ["text=first"])
                #expect(written.json["notes"] as? [String] == ["first"] && written.string("url") == "http://\(Self.site)/notes/", "\(written.body)")
                let file = dir.appendingPathComponent("hello.txt")
                try "uploaded through stackctl\n".write(to: file, atomically: true, encoding: .utf8)
                let uploaded = try RealApps.request(Self.site, at: web, "/upload/", form: ["file=@\(file.path)"])
                #expect(uploaded.string("url") == "/media/uploads/hello.txt", "\(uploaded.status) \(uploaded.body.prefix(300))")
                func media() throws -> RealApps.Answer { try RealApps.request(Self.site, at: web, "/media/uploads/hello.txt") }
                let served = try media()
                #expect(served.status == 200 && served.contentType.hasPrefix("text/plain") && served.body == "uploaded through stackctl\n", "\(served)")
                let mediaDir = "\(kind.dir)3/srv/stackctl/mysite/data/main/media"
                let facts = try FileManager.default.attributesOfItem(atPath: mediaDir)
                #expect((facts[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o750 && facts[.groupOwnerAccountName] as? String == "www-data",
                        "the middle's group reads, never writes: \(facts)")

                // collectstatic's output, with the right types.
                for (path, type) in [("/static/admin/css/base.css", "text/css"), ("/static/admin/js/core.js", "javascript"),
                                     ("/static/admin/img/icon-yes.svg", "image/svg+xml")] {
                    let r = try RealApps.request(Self.site, at: web, path)
                    #expect(r.status == 200 && r.contentType.contains(type), "\(path): \(r.status) \(r.contentType)")
                }
                let status = try Lab.StatusE2ETests.status(manifest)
                #expect(status.status == 0, "\(status.text.prefix(800))")

                // The data outlives `down` and a redeploy; plan lists it.
                #expect(Self.down(manifest) == 0)
                try LabE2ETests.expectUp(manifest)
                #expect(try Self.notes(web).notes == ["first"])
                #expect(try media().body == "uploaded through stackctl\n")
                let plan = try CLITests.stackctl(["plan", "-f", manifest, "-F", LabE2ETests.sshConfig])
                #expect(plan.stdout.contains("data main/db /srv/stackctl/mysite/data/main/db (DB_DIR, 750:mysite-main:mysite-main): kept"), "\(plan.stdout)")
                #expect(plan.stdout.contains("data main/media /srv/stackctl/mysite/data/main/media (MEDIA_DIR, 2750:mysite-main:www-data): kept"))

                // One its user cannot write: status says so (degraded), and up gives it back.
                let db = "\(kind.dir)3/srv/stackctl/mysite/data/main/db"
                #expect(chown(db, 0, 0) == 0 && chmod(db, 0o700) == 0)
                let flagged = try Lab.StatusE2ETests.status(manifest)
                #expect(flagged.status == 8, "\(flagged.text.prefix(600))")
                #expect(flagged.text.contains("data 'db' (/srv/stackctl/mysite/data/main/db) is not writable by mysite-main: 700:root:root"))
                try LabE2ETests.expectUp(manifest)
                #expect(try Lab.StatusE2ETests.status(manifest).status == 0, "up put its owner and mode back")
                #expect(try Self.notes(web).notes == ["first"])
            }
        }

        /// The issue's own setup: the walkthrough's manifest with its one host `local: true`, on
        /// the operator's machine itself (supervisord: PID 1 here is not systemd). The migration
        /// as release command returns, the probes pass ALLOWED_HOSTS, and the database is written.
        @Test func theWalkthroughDeploysOnTheOperatorsOwnMachine() throws {
            try LabE2ETests.withScratch { dir in
                try RealApps.django(in: dir)
                let manifest = dir.appendingPathComponent("deploy.yml").path
                let stack = "mysitelocal"  // one account on this machine, made once
                try String(contentsOf: CLITests.repo.appendingPathComponent("examples/django.yml"), encoding: .utf8)
                    .replacingOccurrences(of: "name: mysite\n", with: "name: \(stack)\nprocess_manager: supervisord\n")
                    .replacingOccurrences(of: "  web: { address: 127.0.0.13 }", with: "  web: { local: true }")
                    .write(toFile: manifest, atomically: true, encoding: .utf8)
                defer {
                    _ = Self.down(manifest)
                    try? FileManager.default.removeItem(atPath: "/srv/stackctl/\(stack)")
                }
                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                #expect(up.stderr.contains("Applying notes.0001_initial... OK"), "the migration ran and returned")
                let written = try RealApps.request(Self.site, at: "127.0.0.1", "/notes/", form: ["text=local"])
                #expect(written.json["notes"] as? [String] == ["local"], "\(written.status) \(written.body.prefix(300))")
            }
        }

        /// Two worker hosts on shared storage (the lab's /var/cache is every host's, as an NFS
        /// mount would be): a release that adds a migration rolls out under load with no request
        /// failed, and after it and after a rollback the rows and the upload are still there.
        @Test(arguments: [("lighttpd", LabKind.plain), ("nginx", LabKind.systemd)])
        func aMigrationRollsOutUnderLoadAndBackKeepingRowsAndUploads(server: String, kind: LabKind) throws {
            try LabE2ETests.withScratch { dir in
                try RealApps.django(in: dir)
                let shared = "/var/cache/stackctl/lab-shared/django-\(UUID().uuidString.prefix(8))"
                defer { try? FileManager.default.removeItem(atPath: shared) }
                let manifest = dir.appendingPathComponent("deploy.yml").path
                try kind.adapt("""
                name: mysite
                hosts:
                  front1: { address: 127.0.0.11 }
                  middle1: { address: 127.0.0.12 }
                  app1: { address: 127.0.0.13 }
                  app2: { address: 127.0.0.14 }
                front: { hosts: [front1], server_names: [\(Self.site)], health: { path: /admin/login/ } }
                middle:
                  server: \(server)
                  hosts: [middle1]
                  static:
                    aliases:
                      /static/: { source: mysite/staticfiles }
                      /media/: { data: main/media }
                  routes: { /: main }
                pools:
                  main:
                    source: mysite
                    wsgi: mysite.wsgi:application
                    release_command: python manage.py migrate --noinput
                    env:
                      DJANGO_ALLOWED_HOSTS: \(Self.site)
                      DJANGO_SECRET_KEY: { from_file: secret_key }
                    data:
                      db: { path: \(shared)/db }
                      media: { path: \(shared)/media }
                    instances: 2
                    hosts: [app1, app2]
                    drain_timeout: 10s
                    health: { path: /admin/login/ }

                """).write(toFile: manifest, atomically: true, encoding: .utf8)
                Self.forget(kind, hosts: [3, 4])
                defer { _ = Self.down(manifest); Self.forget(kind, hosts: [3, 4]) }

                let up = try LabE2ETests.up(manifest)
                #expect(up.status == 0, "\(up.stderr)")
                let front = kind.address(1)
                _ = try RealApps.request(Self.site, at: front, "/notes/", form: ["text=before"])
                let file = dir.appendingPathComponent("kept.txt")
                try "kept across releases\n".write(to: file, atomically: true, encoding: .utf8)
                #expect(try RealApps.request(Self.site, at: front, "/upload/", form: ["file=@\(file.path)"]).string("url") == "/media/uploads/kept.txt")

                try RealApps.djangoMigration(dir.appendingPathComponent("mysite"))
                var rollout: CLITests.Result?
                let load = try RolloutE2ETests.underLoad(dir, front: "http://\(front)", path: "/notes/", options: ["--host", Self.site]) {
                    rollout = try CLITests.stackctl(["rollout", "main", "-f", manifest, "-F", LabE2ETests.sshConfig])
                }
                #expect(rollout?.status == 0, "\(rollout?.stderr ?? "")")
                #expect(rollout?.stderr.contains("Applying notes.0002_note_tag... OK") == true, "the migration ran as the release command")
                #expect((load["ok"] as? Int ?? 0) > 0 && load["non_2xx"] as? Int == 0 && load["errors"] as? Int == 0, "\(load)")
                #expect(try Self.notes(front) == (["before"], "2"))
                _ = try RealApps.request(Self.site, at: front, "/notes/", form: ["text=after"])
                #expect(try RealApps.request(Self.site, at: front, "/media/uploads/kept.txt").body == "kept across releases\n")

                var back: CLITests.Result?
                let load2 = try RolloutE2ETests.underLoad(dir, front: "http://\(front)", path: "/notes/", options: ["--host", Self.site]) {
                    back = try CLITests.stackctl(["rollback", "main", "-f", manifest, "-F", LabE2ETests.sshConfig])
                }
                #expect(back?.status == 0, "\(back?.stderr ?? "")")
                #expect(load2["non_2xx"] as? Int == 0 && load2["errors"] as? Int == 0, "\(load2)")
                #expect(try Self.notes(front) == (["before", "after"], "1"), "release one reads the migrated table")
                #expect(try RealApps.request(Self.site, at: front, "/media/uploads/kept.txt").body == "kept across releases\n")
            }
        }
    }
}
