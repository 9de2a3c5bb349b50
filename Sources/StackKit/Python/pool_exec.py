"""`stackctl exec`: runs a command as a pool's user, in its current release directory, with the
environment its workers get (pool.json's, secrets included, never on a command line).

Run as root on the host: pool_exec.py POOL_JSON DIRECTORY BINDIR VIRTUALENV USER GROUP MERGE -- CMD...
BINDIR (the pool's Python's directory) comes first on PATH; VIRTUALENV, if not empty, is set as
VIRTUAL_ENV; MERGE "1" sends standard error to standard output (lines prefixed by host)."""
import grp
import json
import os
import pwd
import sys


def fail(message, code=1):
    sys.stderr.write("stackctl exec: %s\n" % message)
    sys.exit(code)


def main(argv):
    if len(argv) < 10 or argv[8] != "--":
        fail("usage: pool_exec.py POOL_JSON DIRECTORY BINDIR VIRTUALENV USER GROUP MERGE -- CMD...", 2)
    config_path, directory, bindir, virtualenv, user, group, merge = argv[1:8]
    command = argv[9:]
    try:
        with open(config_path) as f:
            config = json.load(f)
    except FileNotFoundError:
        fail("pool %s is not deployed on this host (no %s); run 'stackctl up'" % (os.path.basename(os.path.dirname(config_path)), config_path))
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        fail("no user '%s' on this host; run 'stackctl up'" % user)
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        fail("no group '%s' on this host; run 'stackctl up'" % group)
    env = {
        "HOME": account.pw_dir,
        "USER": account.pw_name,
        "LOGNAME": account.pw_name,
        "SHELL": "/bin/sh",
        "PATH": bindir + ":/usr/local/bin:/usr/bin:/bin",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
    }
    for name in ("TERM", "COLORTERM", "COLUMNS", "LINES"):
        if name in os.environ:
            env[name] = os.environ[name]
    if virtualenv:
        env["VIRTUAL_ENV"] = virtualenv
    for name, value in config["environment"]:
        env[name] = value
    os.initgroups(user, gid)
    os.setgid(gid)
    os.setuid(account.pw_uid)
    try:
        os.chdir(directory)
    except OSError as e:
        fail("cannot enter %s: %s" % (directory, e.strerror))
    if merge == "1":
        os.dup2(1, 2)
    try:
        os.execvpe(command[0], command, env)
    except OSError as e:
        fail("%s: %s" % (command[0], e.strerror), 127 if isinstance(e, FileNotFoundError) else 126)


if __name__ == "__main__":
    main(sys.argv)
