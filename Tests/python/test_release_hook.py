"""The release hook runner: settings on fd 3, the pool's environment, every line prefixed."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HOOK = os.path.join(HERE, "..", "..", "Sources", "StackKit", "Python", "release_hook.py")


def run(command, environment=(), directory=None):
    directory = directory or tempfile.mkdtemp()
    config = json.dumps({"directory": directory, "venv": "/nonexistent-venv",
                         "environment": [list(p) for p in environment], "command": command}).encode()
    r, w = os.pipe()
    os.write(w, config)
    os.close(w)
    try:
        p = subprocess.run([sys.executable, HOOK], pass_fds=(r,), stdout=subprocess.PIPE, timeout=30,
                           preexec_fn=lambda: os.dup2(r, 3))
    finally:
        os.close(r)
    return p.returncode, p.stdout.decode()


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


if __name__ == "__main__":
    unittest.main()
