"""The launcher's behaviours beyond flup 1.0.3 (see the field notes), on real flup workers."""
import grp
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import fcgi_client

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(HERE, "..", "..", "Sources", "StackKit", "Python", "launcher.py")
APP = '''
import os, time
def application(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(1)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("pid %d %s" % (os.getpid(), os.environ.get("GREETING", ""))).encode()]
'''


def other_group():
    """A group the test process is not in by default, to see the socket given to it."""
    for name in ("nogroup", "www-data", "daemon"):
        try:
            g = grp.getgrnam(name)
        except KeyError:
            continue
        if g.gr_gid != os.getegid():
            return name
    return None


class Worker(object):
    """One launcher process, started by pid and ended by pid."""

    def __init__(self, kind="threaded", socket_group=None, module="app", protocol=None):
        self.dir = tempfile.mkdtemp(prefix="stackctl-launcher-")
        self.sock = os.path.join(self.dir, "0.sock")
        with open(os.path.join(self.dir, "app.py"), "w") as f:
            f.write(APP)
        server = {"kind": kind, "min_spare": 1, "max_spare": 2}
        if kind == "prefork":
            server.update(max_children=4, max_requests=0)
        config = {"stack": "t", "pool": "main", "host": "h", "directory": self.dir,
                  "entry": {"module": module, "callable": "application"}, "environment": [["GREETING", "hello"]],
                  "server": server, "socket_group": socket_group, "stop_grace": 5, "instances": [{"unix": self.sock}]}
        if protocol:
            config["protocol"] = protocol
        self.config = os.path.join(self.dir, "pool.json")
        with open(self.config, "w") as f:
            json.dump(config, f)
        self.process = None

    def start(self, wait=True, prefix=()):
        self.process = subprocess.Popen(list(prefix) + [sys.executable, LAUNCHER, self.config, "0"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if wait:
            self.wait_listening()
        return self

    def wait_listening(self):
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("launcher exited: %s" % self.output())
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(self.sock)
                return
            except OSError:
                time.sleep(0.05)
            finally:
                probe.close()
        raise AssertionError("launcher never listened")

    def output(self):
        return self.process.stdout.read().decode() if self.process.stdout else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def scgi_request(path, sock_path, timeout=10):
    """One SCGI request (netstring headers, CONTENT_LENGTH first): (status, body)."""
    headers = [("CONTENT_LENGTH", "0"), ("SCGI", "1"), ("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", ""),
               ("PATH_INFO", path), ("QUERY_STRING", ""), ("REQUEST_URI", path), ("SERVER_NAME", "t"),
               ("SERVER_PORT", "80"), ("SERVER_PROTOCOL", "HTTP/1.0")]
    block = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in headers)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    s.sendall(str(len(block)).encode() + b":" + block + b",")
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    status = int(head.split(b"Status:", 1)[1].split()[0]) if b"Status:" in head else 0
    return status, body


class LauncherTests(unittest.TestCase):
    def worker(self, **kwargs):
        w = Worker(**kwargs)
        self.addCleanup(w.stop)
        return w

    def test_serves_the_app_with_its_environment(self):
        w = self.worker().start()
        status, body = fcgi_client.request("/", w.sock)
        self.assertEqual(status, 200)
        self.assertTrue(body.endswith(b"hello"), body)

    def test_a_stale_socket_is_removed(self):
        w = self.worker()
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(w.sock)
        stale.close()  # the file stays, nothing listens: ECONNREFUSED
        w.start()
        self.assertEqual(fcgi_client.request("/", w.sock)[0], 200)

    def test_a_live_socket_is_never_stolen(self):
        w = self.worker()
        live = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        live.bind(w.sock)
        live.listen(1)
        self.addCleanup(live.close)
        w.start(wait=False)
        self.assertEqual(w.process.wait(timeout=15), 2)
        self.assertIn("another process is already listening on %s" % w.sock, w.output())
        self.assertTrue(stat.S_ISSOCK(os.lstat(w.sock).st_mode), "the live socket is still there")

    def test_a_file_that_is_not_a_socket_is_left_alone(self):
        w = self.worker()
        with open(w.sock, "w") as f:
            f.write("precious")
        w.start(wait=False)
        self.assertEqual(w.process.wait(timeout=15), 2)
        self.assertIn("exists and is not a socket", w.output())
        with open(w.sock) as f:
            self.assertEqual(f.read(), "precious")

    def test_the_socket_is_0660_and_belongs_to_the_middle_servers_group(self):
        group = other_group()
        if group is None:
            self.skipTest("no second group on this machine")
        w = self.worker(socket_group=group).start()
        st = os.stat(w.sock)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
        self.assertEqual(grp.getgrgid(st.st_gid).gr_name, group)

    def test_a_worker_outside_the_middles_group_opens_its_socket_to_all_in_a_closed_directory(self):
        group = next((g for g in ("www-data", "daemon") if g in [e.gr_name for e in grp.getgrall()]), None)
        if group is None or os.geteuid() != 0:
            self.skipTest("needs root and a group other than nogroup")
        w = self.worker(socket_group=group)
        os.chmod(w.dir, 0o777)
        for name in os.listdir(w.dir):
            os.chmod(os.path.join(w.dir, name), 0o755 if os.path.isdir(os.path.join(w.dir, name)) else 0o644)
        # As nobody, in no group but nogroup: a chown would fail (or kill it under systemd).
        w.start(prefix=["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        st = os.stat(w.sock)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o666)
        self.assertEqual(grp.getgrgid(st.st_gid).gr_name, "nogroup")

    def test_an_app_that_cannot_load_exits_1_naming_the_error(self):
        w = self.worker(module="nosuchmodule")
        w.start(wait=False)
        self.assertEqual(w.process.wait(timeout=15), 1)
        self.assertIn("cannot load the WSGI application of pool main: ModuleNotFoundError", w.output())

    def test_threaded_stops_on_sigterm_and_removes_its_socket(self):
        w = self.worker().start()
        w.process.send_signal(signal.SIGTERM)
        # A process manager waits 10-15 s before it kills: the launcher must be gone well before.
        self.assertEqual(w.process.wait(timeout=8), 0)
        self.assertFalse(os.path.exists(w.sock))

    def test_prefork_stops_on_sigterm_letting_a_busy_child_finish(self):
        w = self.worker(kind="prefork").start()
        answers = []
        slow = threading.Thread(target=lambda: answers.append(fcgi_client.request("/slow", w.sock)))
        slow.start()
        time.sleep(0.3)  # the request is in a child now
        w.process.send_signal(signal.SIGTERM)
        self.assertEqual(w.process.wait(timeout=8), 0, "flup's prefork alone ignores SIGTERM under a process manager")
        slow.join(10)
        self.assertEqual([a[0] for a in answers], [200], "the busy child finished its request")
        self.assertFalse(os.path.exists(w.sock))

    def test_prefork_ignores_sigusr1(self):
        w = self.worker(kind="prefork").start()
        w.process.send_signal(signal.SIGUSR1)  # crashes flup's prefork parent without the launcher
        time.sleep(0.3)
        self.assertIsNone(w.process.poll())
        self.assertEqual(fcgi_client.request("/", w.sock)[0], 200)

    def test_prefork_grows_past_max_spare(self):
        w = self.worker(kind="prefork").start()
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(fcgi_client.request("/slow", w.sock))) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)
        self.assertEqual(sorted(a[0] for a in answers), [200] * 4)
        pids = {a[1].split()[1] for a in answers}
        self.assertGreater(len(pids), 2, "4 concurrent requests were served by more than max_spare=2 children")



class SCGILauncherTests(unittest.TestCase):
    """`protocol: scgi`: flup's SCGI servers, with the same socket and stop behaviours."""

    def worker(self, **kwargs):
        w = Worker(protocol="scgi", **kwargs)
        self.addCleanup(w.stop)
        return w

    def test_threaded_and_prefork_serve_the_app_over_scgi(self):
        for kind in ("threaded", "prefork"):
            w = self.worker(kind=kind).start()
            status, body = scgi_request("/", w.sock)
            self.assertEqual(status, 200, kind)
            self.assertTrue(body.endswith(b"hello"), body)
            self.assertEqual(stat.S_IMODE(os.stat(w.sock).st_mode), 0o660)

    def test_a_live_scgi_socket_is_never_stolen(self):
        w = self.worker().start()
        thief = Worker(protocol="scgi")
        self.addCleanup(thief.stop)
        thief.config = w.config
        thief.start(wait=False)
        self.assertEqual(thief.process.wait(timeout=15), 2)
        self.assertEqual(scgi_request("/", w.sock)[0], 200)

    def test_scgi_workers_stop_on_sigterm_and_remove_their_socket(self):
        for kind in ("threaded", "prefork"):
            w = self.worker(kind=kind).start()
            w.process.send_signal(signal.SIGTERM)
            self.assertEqual(w.process.wait(timeout=8), 0, kind)
            self.assertFalse(os.path.exists(w.sock), kind)


if __name__ == "__main__":
    unittest.main()
