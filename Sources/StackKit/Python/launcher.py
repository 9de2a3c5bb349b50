import errno
import grp
import importlib
import json
import os
import signal
import socket
import stat
import sys
import time
import traceback


def log(message):
    sys.stderr.write("stackctl launcher[%d]: %s\n" % (os.getpid(), message))
    sys.stderr.flush()


def fail(message, code=2):
    log(message)
    sys.exit(code)


def load_app(entry, directory):
    sys.path.insert(0, directory)
    if "paste" in entry:
        from paste.deploy import loadapp
        return loadapp("config:" + entry["paste"], name=entry["name"])
    app = importlib.import_module(entry["module"])
    for part in entry["callable"].split("."):
        app = getattr(app, part)
    return app


def prepare_unix_socket(path):
    """Refuse to steal a live socket; remove a stale one."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        fail("%s exists and is not a socket; refusing to replace it" % path)
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError as e:
        if e.errno in (errno.ECONNREFUSED, errno.ENOENT):
            os.unlink(path)
            log("removed stale socket %s" % path)
            return
        raise
    else:
        fail("another process is already listening on %s" % path)
    finally:
        probe.close()


class StatusPipe(object):
    """flup's prefork parent compares the child's status byte with a str on Python 3, so
    every child always looks idle and the pool never grows past max_spare. Decoding fixes it."""

    def __init__(self, sock):
        self._sock = sock

    def fileno(self):
        return self._sock.fileno()

    def recv(self, n):
        return self._sock.recv(n).decode("latin-1")

    def send(self, data):
        return self._sock.send(data.encode("latin-1") if isinstance(data, str) else data)

    def close(self):
        self._sock.close()


class Stop(Exception):
    pass


def notify_ready():
    """Under systemd (Type=notify): the app is imported and the socket listens. Units that
    are ordered after this one (the middle, then the front) start only now, at boot too."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):
        path = "\0" + path[1:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.connect(path)
        s.sendall(b"READY=1\nSTATUS=listening\n")
    except OSError as e:
        log("could not tell systemd the worker is ready: %s" % e)
    finally:
        s.close()


def make_server_class(kind, instance, socket_group, protocol="fastcgi"):
    if protocol == "scgi":
        if kind == "prefork":
            from flup.server.scgi_fork import WSGIServer as Base
        else:
            from flup.server.scgi import WSGIServer as Base
    elif kind == "prefork":
        from flup.server.fcgi_fork import WSGIServer as Base
    else:
        from flup.server.fcgi import WSGIServer as Base

    class Server(Base):
        listening = None
        inode = None

        def _setupSocket(self):
            sock = Base._setupSocket(self)
            self.listening = sock
            if "unix" in instance:
                path = instance["unix"]
                os.chmod(path, 0o660)
                if socket_group:
                    gid = grp.getgrnam(socket_group).gr_gid
                    if gid == os.getegid():
                        pass
                    elif gid in os.getgroups() or os.geteuid() == 0:
                        os.chown(path, -1, gid)
                    else:
                        # The worker's own account is not in the middle's group (and systemd's
                        # sandbox kills a chown): the socket's directory, 0750 with the
                        # middle's group, keeps everyone else out.
                        os.chmod(path, 0o666)
                self.inode = os.stat(path).st_ino
            notify_ready()
            return sock

        def _cleanupSocket(self, sock):
            Base._cleanupSocket(self, sock)
            path = instance.get("unix")
            try:
                if path and os.stat(path).st_ino == self.inode:
                    os.unlink(path)
            except OSError:
                pass

        def _installSignalHandlers(self):
            Base._installSignalHandlers(self)
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            if hasattr(signal, "SIGUSR1"):
                signal.signal(signal.SIGUSR1, signal.SIG_IGN)

        def _stop(self, signum, frame):
            # flup notices SIGTERM only at its next loop tick (threaded: up to a second;
            # prefork: the next child event); leave its select at once.
            if self._keepGoing:
                self._keepGoing = False
                raise Stop()

        if kind == "prefork":
            def _spawnChild(self, sock):
                spawned = Base._spawnChild(self, sock)
                for child in self._children.values():
                    if child["file"] is not None and not isinstance(child["file"], StatusPipe):
                        child["file"] = StatusPipe(child["file"])
                return spawned

            def stop_children(self, grace):
                """Close every child's pipe: idle children exit now, busy ones after their request."""
                for child in self._children.values():
                    if child["file"] is not None:
                        child["file"].close()
                        child["file"] = None
                deadline = time.time() + grace
                while self._children and time.time() < deadline:
                    try:
                        pid, _ = os.waitpid(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid:
                        self._children.pop(pid, None)
                    else:
                        time.sleep(0.02)
                for pid in list(self._children):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass

    return Server


def main():
    if len(sys.argv) != 3:
        fail("usage: launcher.py POOL_JSON INSTANCE")
    with open(sys.argv[1]) as f:
        config = json.load(f)
    index = int(sys.argv[2])
    instances = config["instances"]
    if not 0 <= index < len(instances):
        fail("instance %d is not defined for pool %s on this host (0-%d)" % (index, config["pool"], len(instances) - 1))
    instance = instances[index]
    for name, value in config["environment"]:
        os.environ[name] = value
    os.chdir(config["directory"])
    try:
        app = load_app(config["entry"], config["directory"])
    except Exception as e:
        traceback.print_exc()
        fail("cannot load the WSGI application of pool %s: %s: %s" % (config["pool"], type(e).__name__, e), code=1)

    server_config = config["server"]
    kind = server_config["kind"]
    options = {"minSpare": server_config["min_spare"], "maxSpare": server_config["max_spare"]}
    if kind == "prefork":
        options["maxChildren"] = server_config["max_children"]
        options["maxRequests"] = server_config["max_requests"]
    elif server_config.get("max_threads"):
        options["maxThreads"] = server_config["max_threads"]

    if "unix" in instance:
        prepare_unix_socket(instance["unix"])
        bind = instance["unix"]
    elif ":" in instance["host"]:
        bind = (instance["host"], instance["port"], 0, 0)
    else:
        bind = (instance["host"], instance["port"])

    protocol = config.get("protocol", "fastcgi")
    Server = make_server_class(kind, instance, config.get("socket_group"), protocol)
    if protocol == "scgi":
        # flup's SCGI server logs every request at INFO; only its warnings go to the log.
        # Any server may connect, as with FastCGI (flup's base class would allow 127.0.0.1 only).
        import logging
        server = Server(app, bindAddress=bind, umask=0o007, allowedServers=None, loggingLevel=logging.WARNING, **options)
    else:
        server = Server(app, bindAddress=bind, umask=0o007, multiplexed=False, **options)
    where = instance.get("unix") or "%s:%d" % (instance["host"], instance["port"])
    log("pool %s instance %d (%s%s) serving on %s" % (config["pool"], index, kind, ", SCGI" if protocol == "scgi" else "", where))
    if kind == "prefork":
        try:
            server.run()
        except Stop:
            server.stop_children(config.get("stop_grace", 10))
            server._cleanupSocket(server.listening)
    else:
        try:
            # run() returns True after SIGHUP, which in flup means "serve again", not reload.
            while server.run():
                pass
        except Stop:
            # No new connections; requests in progress finish on their threads.
            server._cleanupSocket(server.listening)
            server.shutdown()
    log("pool %s instance %d stopped" % (config["pool"], index))


if __name__ == "__main__":
    main()
