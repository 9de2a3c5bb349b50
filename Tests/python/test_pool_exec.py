"""stackctl exec's helper runs a command as the pool's user, in its directory, with pool.json's
environment, and names what is missing."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HELPER = os.path.join(HERE, "..", "..", "Sources", "StackKit", "Python", "pool_exec.py")


@unittest.skipUnless(os.getuid() == 0, "drops privileges: runs as root, like stackctl on a host")
class PoolExecTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        os.chmod(self.dir, 0o755)
        self.config = os.path.join(self.dir, "pool.json")
        with open(self.config, "w") as f:
            json.dump({"environment": [["SECRET", "s3 cret"], ["PATHLIKE", "/x"]]}, f)
        os.chmod(self.config, 0o400)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_helper(self, *command, merge="0", config=None, user="nobody", group="nogroup"):
        argv = [sys.executable, HELPER, config or self.config, self.dir, "/opt/venv/bin", "/opt/venv", user, group, merge, "--"] + list(command)
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30, env={"TERM": "xterm", "LEAK": "1"})

    def test_the_command_runs_as_the_user_in_the_directory_with_the_pools_environment(self):
        r = self.run_helper("sh", "-c", 'id -un; id -gn; pwd; echo "$SECRET|$VIRTUAL_ENV|$PATH|$TERM|${LEAK:-none}|$HOME"; echo oops >&2')
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.decode().splitlines()
        self.assertEqual(lines[:3], ["nobody", "nogroup", os.path.realpath(self.dir)])
        self.assertEqual(lines[3], "s3 cret|/opt/venv|/opt/venv/bin:/usr/local/bin:/usr/bin:/bin|xterm|none|/nonexistent")
        self.assertEqual(r.stderr, b"oops\n")

    def test_merge_sends_errors_to_the_output(self):
        r = self.run_helper("sh", "-c", "echo out; echo err >&2; exit 3", merge="1")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (3, b"out\nerr\n", b""))

    def test_a_missing_program_is_127_and_named(self):
        r = self.run_helper("no-such-program-here")
        self.assertEqual(r.returncode, 127)
        self.assertIn(b"stackctl exec: no-such-program-here: No such file or directory", r.stderr)

    def test_an_undeployed_pool_and_a_missing_account_are_named(self):
        r = self.run_helper("true", config=os.path.join(self.dir, "main", "pool.json"))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"pool main is not deployed on this host", r.stderr)
        r = self.run_helper("true", user="no-such-user-x")
        self.assertIn(b"no user 'no-such-user-x' on this host", r.stderr)


if __name__ == "__main__":
    unittest.main()
