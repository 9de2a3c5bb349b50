"""The release hook runner: settings on fd 3, the pool's environment, every line prefixed."""
import json
import os
import subprocess
import sys
import signal
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HOOK = os.path.join(HERE, "..", "..", "Sources", "StackKit", "Python", "release_hook.py")


def start(command, environment=(), directory=None, **settings):
    directory = directory or tempfile.mkdtemp()
    config = json.dumps(dict({"directory": directory, "venv": "/nonexistent-venv",
                              "environment": [list(p) for p in environment], "command": command}, **settings)).encode()
    r, w = os.pipe()
    os.write(w, config)
    os.close(w)
    try:
        return subprocess.Popen([sys.executable, HOOK], pass_fds=(r,), stdout=subprocess.PIPE,
                                preexec_fn=lambda: os.dup2(r, 3))
    finally:
        os.close(r)


def run(command, environment=(), directory=None, **settings):
    p = start(command, environment, directory, **settings)
    out, _ = p.communicate(timeout=60)
    return p.returncode, out.decode()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    with open("/proc/%d/stat" % pid) as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def gone_within(pid, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


# A command whose own child outlives a plain kill of the shell: its pid is printed first.
LINGERING = 'sleep 300 & echo "$!"; wait'


class ReleaseHookTests(unittest.TestCase):
    def test_runs_in_the_directory_with_the_pools_environment(self):
        d = tempfile.mkdtemp()
        code, out = run('echo "$SECRET_KEY in $(pwd)"; echo "$PATH" >&2', [("SECRET_KEY", "k3y")], d)
        self.assertEqual(code, 0)
        self.assertEqual(out.splitlines(), ["| k3y in " + os.path.realpath(d), "| /nonexistent-venv/bin:/usr/local/bin:/usr/bin:/bin"])

    def test_every_line_is_prefixed_so_none_passes_for_a_marker(self):
        code, out = run("printf '@ok release_command\\nno newline at the end'")
        self.assertEqual(out, "| @ok release_command\n| no newline at the end\n")

    def test_the_commands_status_is_the_runners(self):
        self.assertEqual(run("exit 3")[0], 3)
        self.assertEqual(run("kill -TERM $$")[0], 128 + 15)

    def test_the_operators_environment_does_not_leak_in(self):
        os.environ["STACKCTL_TEST_LEAK"] = "leaked"
        try:
            self.assertEqual(run('echo "[${STACKCTL_TEST_LEAK:-}]"')[1], "| []\n")
        finally:
            del os.environ["STACKCTL_TEST_LEAK"]

    def test_past_its_timeout_every_process_of_the_command_is_ended(self):
        code, out = run(LINGERING, timeout=1, grace=2)
        lines = out.splitlines()
        self.assertEqual(code, 124)
        self.assertEqual(len(lines), 1, "only the command's own output")
        self.assertTrue(gone_within(int(lines[0][2:]), 5))

    def test_one_that_ignores_sigterm_gets_sigkill_after_the_grace_time(self):
        code, out = run("trap '' TERM; " + LINGERING.replace("sleep 300 &", "sh -c \"trap '' TERM; sleep 300\" &"), timeout=1, grace=1)
        self.assertEqual(code, 124)
        self.assertTrue(gone_within(int(out.splitlines()[0][2:]), 5))

    def test_sigterm_or_sigint_to_the_runner_ends_the_command(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            p = start(LINGERING, timeout=600, grace=2)
            pid = int(p.stdout.readline().decode()[2:])
            p.send_signal(sig)
            p.communicate(timeout=30)
            self.assertEqual(p.returncode, 143, sig)
            self.assertTrue(gone_within(pid, 5), sig)

    def test_when_its_reader_goes_away_the_command_is_ended(self):
        p = start(LINGERING, timeout=600, grace=2)
        pid = int(p.stdout.readline().decode()[2:])
        p.stdout.close()
        self.assertEqual(p.wait(timeout=30), 143)
        self.assertTrue(gone_within(pid, 5))


if __name__ == "__main__":
    unittest.main()
