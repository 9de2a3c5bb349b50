"""Runs a pool's release_command in a new release, for stackctl.

Started as the pool's user (setpriv) with the release's interpreter. Its settings come as JSON
on file descriptor 3, never on the command line (the environment may hold secrets):
{"directory": ..., "venv": ..., "environment": [[k, v], ...], "command": ...}. The command runs under /bin/sh -c in the release's directory with the pool's
environment; every line it prints (stdout and stderr) is passed on prefixed with "| ", so none
can pass for one of stackctl's markers. Exits with the command's status (128+N for signal N).
"""
import json
import os
import pwd
import subprocess
import sys


def main():
    with os.fdopen(3, "rb") as f:
        config = json.loads(f.read().decode("utf-8"))
    venv = config["venv"]
    account = pwd.getpwuid(os.getuid())
    env = {
        "PATH": venv + "/bin:/usr/local/bin:/usr/bin:/bin",
        "VIRTUAL_ENV": venv,
        "HOME": account.pw_dir,
        "USER": account.pw_name,
        "LOGNAME": account.pw_name,
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
    }
    for name, value in config["environment"]:
        env[name] = value
    os.chdir(config["directory"])
    child = subprocess.Popen(["/bin/sh", "-c", config["command"]], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = sys.stdout.buffer
    for line in child.stdout:
        out.write(b"| " + line.rstrip(b"\n") + b"\n")
        out.flush()
    code = child.wait()
    sys.exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    main()
