import Foundation
import Testing
@testable import StackKit
import StackKitTesting

/// `check` and `up`'s first step: the facts judged into what is missing and the line that fixes it.
@Suite struct CheckTests {
    static let plans = ConvergeTests.plans

    static func judge(_ host: String, _ facts: String) -> HostCheck {
        HostCheck(CheckReply(ScriptOutput(facts)), plans[host]!)
    }

    /// A systemd stack on a host whose PID 1 is something else fails its check (exit 11 in `up`,
    /// before anything changes) with the manifest change that fixes it; supervisord hosts are
    /// not asked.
    @Test func aSystemdHostWhosePID1IsNotSystemdIsNamedWithTheFix() {
        let booted = Self.judge("app1", "@user root 0\n@init systemd\n")
        #expect(booted.items.first { $0.what == "PID 1" }?.ok == true)
        let other = Self.judge("app1", "@user root 0\n@init process_api\n")
        #expect(!other.ok)
        #expect(other.problems.map(\.what) == ["PID 1"])
        #expect(other.problems.first?.detail == "process_api, not systemd: this host cannot run the stack's systemd units")
        #expect(other.fixes == ["run this host's stack under supervisord: set process_manager: supervisord on hosts.app1 in the manifest"])
        #expect(Self.judge("web", "@user root 0\n@init sshd\n").items.allSatisfy { $0.what != "PID 1" }, "web runs supervisord")
        #expect(Scripts.check(Self.plans["app1"]!).code.text.contains("if [ -d /run/systemd/system ]; then printf '@init %s\\n' systemd; else"))
        #expect(!Scripts.check(Self.plans["web"]!).code.text.contains("/proc/1/comm"))
    }

    @Test func aReadyHostHasNoProblems() {
        let c = Self.judge("web", """
        @user root 0
        @bin /usr/bin/python3 Python 3.13.5
        @bin /usr/sbin/nginx nginx version: nginx/1.26.3
        @bin /usr/bin/supervisord 4.2.5
        @bin /usr/bin/ss
        @flup admin 1.0.3
        @port 8000 127.0.1.11 321 /usr/sbin/nginx -p /srv/stackctl/shop/middle -c /srv/stackctl/shop/middle/nginx.conf
        @disk /srv 9000000
        @nofile 1048576 ulimit -Hn

        """)
        #expect(c.ok, "\(c.problems)")
        #expect(c.items.first { $0.what == "/usr/sbin/nginx" }?.detail == "nginx version: nginx/1.26.3")
        #expect(c.items.first { $0.what == "port 127.0.1.11:8000" }?.detail == "held by this stack")
        #expect(c.aptLine == nil)
    }

    @Test func whatIsMissingIsNamedWithTheLineThatInstallsIt() {
        let c = Self.judge("web", """
        @user deploy 1000
        @bin /usr/bin/python3
        @nobin /usr/sbin/nginx
        @nobin /usr/bin/supervisord
        @bin /usr/bin/ss
        @noflup admin ModuleNotFoundError: No module named 'flup'
        @port 8000 0.0.0.0 99 python3 -m http.server 8000
        @disk /srv 1024
        @nofile 1024 ulimit -Hn

        """)
        #expect(!c.ok)
        #expect(c.problems.map(\.what) == ["root", "/usr/sbin/nginx", "/usr/bin/supervisord", "pool admin: flup", "port 127.0.1.11:8000", "disk", "open files"])
        #expect(c.aptLine == "apt-get install -y nginx supervisor")
        #expect(c.fixes == ["/usr/bin/python3 -m pip install flup==1.0.3"])
        #expect(c.problems.first { $0.what == "port 127.0.1.11:8000" }?.detail == "taken by pid 99 listening on 0.0.0.0:8000: python3 -m http.server 8000")
        #expect(c.problems.first { $0.what == "open files" }?.detail == "1024 (ulimit -Hn) for max_connections 1024, which needs 2112")
    }

    /// Ports compare as the kernel compares them: a listener on another address of the host
    /// leaves the port free here; a wildcard one (either side) takes it.
    @Test func aPortIsTakenOnlyWhereTheKernelWouldRefuseTheBind() {
        let judge = { (line: String) in Self.judge("web", "@user root 0\n\(line)\n").problems.first { $0.what.hasPrefix("port ") } }
        #expect(judge("@port 8000 127.0.0.1 42 python3 -m http.server 8000") == nil, "127.0.0.1:8000 does not block 127.0.1.11:8000")
        #expect(judge("@port 8000 [::1] 42 python3 -m http.server 8000") == nil)
        #expect(judge("@port 8000 127.0.1.11 42 python3 -m http.server 8000")?.detail == "taken by pid 42 listening on 127.0.1.11:8000: python3 -m http.server 8000")
        #expect(judge("@port 8000 * 42 python3 -m http.server 8000") != nil)
        #expect(judge("@port 8000 [::] 42 python3 -m http.server 8000")?.detail == "taken by pid 42 listening on [::]:8000: python3 -m http.server 8000")
        #expect(HostCheck.overlaps("0.0.0.0", "127.0.0.12") && HostCheck.overlaps("[::ffff:127.0.0.12]", "127.0.0.12"))
    }

    @Test func aVirtualenvThatIsGoneGetsItsOwnFix() {
        let c = Self.judge("app1", "@user root 0\n@noflup main sh: 1: /srv/shop/venv/bin/python: not found\n")
        #expect(c.fixes == ["python3 -m venv /srv/shop/venv && /srv/shop/venv/bin/pip install flup==1.0.3"])
        #expect(c.packages == ["python3-venv"])
    }

    @Test func aHostThatRanNoCheckIsNotJudged() {
        #expect(Self.judge("web", "@manager down\n").items.isEmpty)
    }

    @Test func upStopsBeforeChangingAnythingOnAHostThatIsNotReady() async {
        let web = ConvergeTests.host("web")
        let (deployer, fakes) = ConvergeTests.deployer(["web": { c in
            c.phase == .inspect ? ConvergeTests.answer(ConvergeTests.deployed("web") + "@user root 0\n@nobin /usr/sbin/nginx\n") : web(c)
        }])
        let report = await deployer.up()
        #expect(report.exitCode == .notReady)
        #expect(report.failure == "web is not ready: /usr/sbin/nginx: missing (fix: apt-get install -y nginx); nothing was changed")
        #expect(fakes.values.allSatisfy { $0.phases == [.inspect] })
    }

    @Test func theCheckScriptRunsInARealShellHere() async throws {
        for plan in HostPlan.all(try Fixtures.manifest("full")) {
            let out = try await LocalTransport(hostName: "here").run(Scripts.check(plan).command)
            let reply = CheckReply(ScriptOutput(out.stdoutText))
            #expect(out.status == 0 && reply.uid >= 0 && reply.disk != nil, "\(plan.host.name): \(out.stdoutText) \(out.stderrText)")
            // As id and df say them, read by the shell from one run of each.
            #expect(reply.uid == Int(getuid()) && reply.user == String(cString: getpwuid(getuid())!.pointee.pw_name))
            var fs = statvfs()
            #expect(statvfs(reply.disk?.path ?? "/nonexistent", &fs) == 0 && (reply.disk?.kb ?? 0) > 0, "\(String(describing: reply.disk))")
            #expect(reply.binaries["/usr/bin/python3"]?.hasPrefix("Python 3") == true, "\(reply.binaries)")
            if plan.tiers.contains(.front) { #expect(reply.binaries["/usr/sbin/apache2"]?.hasPrefix("Server version: Apache/2.4") == true && reply.modules.isEmpty) }
        }
    }
}

extension CheckTests {
    /// flup's version is read from a virtualenv's site-packages without running its Python;
    /// where its package is not beside the dist-info, the interpreter is asked (here: none).
    @Test func flupsVersionComesFromTheVirtualenvWithoutRunningIt() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("venv/lib/python3.11/site-packages")
        try FileManager.default.createDirectory(at: site.appendingPathComponent("flup-1.0.3.dist-info"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: site.appendingPathComponent("flup/server"), withIntermediateDirectories: true)
        let fcgi = site.appendingPathComponent("flup/server/fcgi.py")
        try "".write(to: fcgi, atomically: true, encoding: .utf8)
        var manifest = try Fixtures.manifest("full")
        let i = try #require(manifest.pools.firstIndex { $0.name == "main" })
        manifest.pools[i].python = dir.appendingPathComponent("venv/bin/python").path   // never made: it cannot run
        let plan = try #require(HostPlan.all(manifest).first { $0.host.name == "app1" })
        func flup() async throws -> CheckReply {
            CheckReply(ScriptOutput(try await LocalTransport(hostName: "here").run(Scripts.check(plan).command).stdoutText))
        }
        #expect(try await flup().flup["main"] == "1.0.3")
        try FileManager.default.removeItem(at: fcgi)
        let asked = try await flup()
        #expect(asked.flup["main"] == nil && asked.noFlup["main"]?.contains("not found") == true, "\(asked.noFlup)")
        #expect(Scripts.virtualenv(of: "/srv/v/bin/python3") == "/srv/v" && Scripts.virtualenv(of: "/usr/bin/python3") == "/usr"
                && Scripts.virtualenv(of: "python3") == nil)
    }
}
