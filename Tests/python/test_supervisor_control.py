"""stackctl's supervisord client speaks XML-RPC by hand: against a real supervisord, each
command does what supervisorctl would, and a fault is said with supervisord's own words."""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CONTROL = os.environ.get("SUPERVISOR_CONTROL") or os.path.join(HERE, "..", "..", "Sources", "StackKit", "Python", "supervisor_control.py")
SUPERVISORD = shutil.which("supervisord") or "/usr/bin/supervisord"


def read(path):
    with open(path) as f:
        return f.read()


@unittest.skipUnless(os.path.exists(SUPERVISORD), "supervisord is not installed")
class SupervisorControlTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.sock = os.path.join(self.dir, "s.sock")
        conf = os.path.join(self.dir, "supervisord.conf")
        with open(conf, "w") as f:
            f.write("""[unix_http_server]
file=%(d)s/s.sock
[supervisord]
logfile=%(d)s/supervisord.log
pidfile=%(d)s/supervisord.pid
nodaemon=false
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[program:sleeper]
command=/bin/sleep 600
autostart=false
startsecs=0
stopwaitsecs=2
[program:slow]
command=/bin/sh -c 'trap "sleep 0.6; exit 0" TERM; while :; do sleep 0.1; done'
autostart=false
startsecs=0
stopwaitsecs=10
[group:g]
programs=sleeper,slow
[program:ghost]
command=/nonexistent/ghost & <here>
autostart=false
startsecs=0
startretries=0
""" % {"d": self.dir})
        subprocess.run([SUPERVISORD, "-c", conf], check=True, timeout=30)
        self.pid = None
        deadline = time.time() + 20
        while time.time() < deadline:
            if os.path.exists(os.path.join(self.dir, "supervisord.pid")) and self.control("status").returncode == 0:
                self.pid = int(read(os.path.join(self.dir, "supervisord.pid")))
                break
            time.sleep(0.05)
        self.assertIsNotNone(self.pid, "supervisord did not come up")

    def tearDown(self):
        try:
            os.kill(self.pid, 15)
        except OSError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def control(self, *args):
        return subprocess.run([sys.executable, "-I", "-S", CONTROL, self.sock] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)

    def test_start_status_detail_restart_and_stop(self):
        self.assertEqual(self.control("status").stdout, "")
        self.assertEqual(self.control("start", "g:sleeper").returncode, 0)
        self.assertEqual(self.control("start", "g:sleeper").returncode, 0, "already started is no error")
        self.assertEqual(self.control("status").stdout, "@running g:sleeper\n")
        detail = self.control("detail").stdout.splitlines()
        proc = [l for l in detail if l.startswith("@proc g:sleeper ")][0].split(" ")
        self.assertEqual(proc[2], "running")
        self.assertGreater(int(proc[3]), 0)
        # A program whose command is missing: its spawn error (supervisord's words, with the
        # characters XML escapes) comes back as text.
        self.assertEqual(self.control("start", "ghost").returncode, 0)
        self.assertIn("@spawnerr ghost can't find command '/nonexistent/ghost'", self.control("detail").stdout)
        self.assertEqual(self.control("restart", "g:sleeper").returncode, 0)
        again = [l for l in self.control("detail").stdout.splitlines() if l.startswith("@proc g:sleeper ")][0].split(" ")
        self.assertEqual(again[2], "running")
        self.assertNotEqual(again[3], proc[3], "a new process")
        self.assertEqual(self.control("stop", "g:sleeper").returncode, 0)
        self.assertEqual(self.control("status").stdout, "")

    def test_a_just_started_supervisord_is_waited_for_only_when_asked(self):
        # Not yet listening (no socket): at once an error, or answered once it listens.
        moved = self.sock + ".later"
        os.rename(self.sock, moved)
        gone = subprocess.run([sys.executable, "-I", "-S", CONTROL, self.sock, "status"], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(gone.returncode, 0)
        threading.Timer(0.3, os.rename, (moved, self.sock)).start()
        env = dict(os.environ, STACKCTL_SUPERVISOR_WAIT="10")
        waited = subprocess.run([sys.executable, "-I", "-S", CONTROL, self.sock, "start", "g:sleeper"], capture_output=True, text=True,
                                timeout=60, env=env)
        self.assertEqual(waited.returncode, 0, waited.stderr)
        self.assertEqual(self.control("status").stdout, "@running g:sleeper\n")

    def test_status_runs_the_relay_on_a_descriptor_of_its_own_when_every_program_runs(self):
        # The relay's code: what it would print, and its arguments, on the descriptor given.
        code = "import sys\nsys.stdout.buffer.write(('@probes ' + ' '.join(sys.argv[1:]) + '\\n').encode())\n"
        def status(*names, code=code):
            r, w = os.pipe()
            p = subprocess.run([sys.executable, "-I", "-S", CONTROL, self.sock, "status"] + list(names) + ["--relay", str(w), code, "PAYLOAD"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60, pass_fds=(w,))
            os.close(w)
            with os.fdopen(r) as f:
                return p, f.read()
        p, relayed = status("g:sleeper")
        self.assertEqual((p.returncode, p.stdout, relayed), (0, "", ""), "not every program runs: no relay")
        self.assertEqual(self.control("start", "g:sleeper").returncode, 0)
        p, relayed = status("g:sleeper")
        self.assertEqual((p.returncode, p.stdout, relayed), (0, "@running g:sleeper\n", "@probes PAYLOAD\n"))
        p, relayed = status("g:sleeper", "ghost")
        self.assertEqual((p.stdout, relayed), ("@running g:sleeper\n", ""))
        # A relay that fails leaves the status and its exit as they are.
        p, relayed = status("g:sleeper", code="raise OSError('boom')")
        self.assertEqual((p.returncode, p.stdout, relayed), (0, "@running g:sleeper\n", ""))
        self.assertIn("boom", p.stderr)

    def test_start_and_restart_run_the_relay_after_saying_the_steps_markers(self):
        code = "import sys\nsys.stdout.buffer.write(('@probes ' + ' '.join(sys.argv[1:]) + '\\n').encode())\n"
        def control(command, *names):
            r, w = os.pipe()
            env = dict(os.environ, STACKCTL_SAY="@ok started g:sleeper\n@activated\n")
            p = subprocess.run([sys.executable, "-I", "-S", CONTROL, self.sock, command] + list(names) + ["--relay", str(w), code, "PAYLOAD", "3.0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60, pass_fds=(w,), env=env)
            os.close(w)
            with os.fdopen(r) as f:
                return p, f.read()
        for command in ("start", "restart"):
            p, relayed = control(command, "g:sleeper")
            self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
            self.assertEqual(relayed, "@ok started g:sleeper\n@activated\n@probes PAYLOAD 3.0\n", command)
            self.assertEqual(self.control("status").stdout, "@running g:sleeper\n", "the relay's arguments are no program's names")
        # A command that fails says nothing more and asks nothing.
        p, relayed = control("start", "g:nope")
        self.assertEqual((p.returncode, relayed), (1, ""))

    def pids(self):
        return {l.split(" ")[1]: int(l.split(" ")[3]) for l in self.control("detail").stdout.splitlines() if l.startswith("@proc ")}

    def gone(self, pid):
        """Exited and reaped by supervisord (no zombie left)."""
        return not os.path.exists("/proc/%d" % pid)

    def test_stop_and_update_return_once_every_program_has_exited(self):
        # Both at once, and not with supervisord's own wait (answered at its next 1 s tick):
        # when the command returns, each process is gone, the slow one (0.6 s) too.
        for command in (("stop", "g:sleeper", "g:slow"), ("update",)):
            self.assertEqual(self.control("start", "g:sleeper", "g:slow").returncode, 0)
            running = self.pids()
            self.assertEqual(self.control("status").stdout, "@running g:sleeper\n@running g:slow\n")
            if command == ("update",):
                conf = os.path.join(self.dir, "supervisord.conf")
                text = read(conf)
                with open(conf, "w") as f:
                    f.write(text.replace("sleep 600", "sleep 700"))  # group g changes
            r = self.control(*command)
            self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
            for name in ("g:sleeper", "g:slow"):
                self.assertTrue(self.gone(running[name]), "%s: %s still there after %s" % (name, running[name], command[0]))
            self.assertEqual(self.control("status").stdout, "")
        # The group came back, as changed.
        self.assertEqual(self.control("start", "g:sleeper").returncode, 0)
        self.assertIn("sleep 700", read("/proc/%d/cmdline" % self.pids()["g:sleeper"]).replace("\0", " "))

    def test_a_fault_is_said_and_exits_1(self):
        r = self.control("start", "g:nope")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.strip(), "start g:nope: BAD_NAME: g:nope")

    def test_update_and_shutdown(self):
        self.assertEqual(self.control("update").returncode, 0)
        self.assertEqual(self.control("shutdown").returncode, 0)
        deadline = time.time() + 20
        while time.time() < deadline and os.path.exists("/proc/%d" % self.pid) and read("/proc/%d/stat" % self.pid).split(" ")[2] != "Z":
            time.sleep(0.05)
        self.assertNotEqual(self.control("status").returncode, 0, "no supervisord to answer")


if __name__ == "__main__":
    unittest.main()
