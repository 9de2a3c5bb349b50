"""Runs a pool's release_command in a new release, for stackctl.

Started as the pool's user (setpriv) with the release's interpreter. Its settings come as JSON
on file descriptor 3, never on the command line (the environment may hold secrets):
{"directory": ..., "venv": ..., "environment": [[k, v], ...], "command": ..., "timeout": seconds}.
The command runs under /bin/sh -c in the release's directory with the pool's environment, in a
session of its own; every line it prints (stdout and stderr) is passed on prefixed with "| ", so
none can pass for one of stackctl's markers. Exits with the command's status (128+N for signal N).

The command's processes, all of them, are ended (SIGTERM, then SIGKILL 10 s on) when:
- it runs past its timeout: exit 124, as timeout(1);
- the runner gets SIGTERM, SIGINT or SIGHUP (stackctl was interrupted on this host): exit 143;
- its reader goes away (ssh's channel closed, stackctl gone): exit 143.
"""
import json
import os
import pwd
import select
import signal
import subprocess
import sys
import threading
import time

TIMED_OUT = 124
GRACE = 10


class Child:
    def __init__(self, argv, env, grace=GRACE):
        self.grace = grace
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.why = None
        self.lock = threading.Lock()

    def kill(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, why):
        """Ends the command's process group: SIGTERM now, SIGKILL after the grace time."""
        with self.lock:
            if self.why is not None:
                return
            self.why = why
        self.kill(signal.SIGTERM)
        threading.Thread(target=self._finish, daemon=True).start()

    def _finish(self):
        time.sleep(self.grace)
        self.kill(signal.SIGKILL)


def watch(child, timeout):
    """Stops the command past its timeout, or when nobody reads its output any more (the write
    end of a pipe polls POLLERR once its reader has closed it)."""
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(sys.stdout.fileno(), 0)
    while child.proc.poll() is None and child.why is None:
        if any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(200)):
            child.stop("reader")
        elif time.monotonic() >= deadline:
            child.stop("timeout")


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
    child = Child(["/bin/sh", "-c", config["command"]], env, float(config.get("grace", GRACE)))
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: child.stop("signal"))
    threading.Thread(target=watch, args=(child, float(config.get("timeout", 600))), daemon=True).start()
    out = sys.stdout.buffer
    for line in child.proc.stdout:
        if child.why == "reader":
            continue
        try:
            out.write(b"| " + line.rstrip(b"\n") + b"\n")
            out.flush()
        except OSError:
            child.stop("reader")
    code = child.proc.wait()
    if child.why is not None:
        child.kill(signal.SIGKILL)
        sys.exit(TIMED_OUT if child.why == "timeout" else 143)
    sys.exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    main()
