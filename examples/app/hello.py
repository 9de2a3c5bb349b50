"""A small WSGI app for the demo and the end-to-end tests.

/health answers "ok"; every other path answers with what the app saw, so a test
can check SCRIPT_NAME and PATH_INFO through every tier. With APP_DELAY set, every
answer waits that many seconds first: a slow worker, for the tests. With APP_FIRST_DELAY,
only each process's first answer waits: an app that loads part of itself on its first
request, as Django loads its URLconf."""
import json
import os
import threading
import time

# A release can name its own asset (as a collected, hashed static file would be named):
# asset.txt next to this file holds its URL.
_ASSET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "asset.txt")
ASSET = open(_ASSET).read().strip() if os.path.exists(_ASSET) else None


_first = threading.Lock()
_warm = False


def application(environ, start_response):
    global _warm
    path = environ.get("PATH_INFO", "")
    time.sleep(float(os.environ.get("APP_DELAY", "0")))
    if not _warm:
        with _first:
            if not _warm:
                time.sleep(float(os.environ.get("APP_FIRST_DELAY", "0")))
                _warm = True
    if path == "/health":
        body = b"ok\n"
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    seen = {
        "greeting": os.environ.get("APP_GREETING", "hello"),
        "script_name": environ.get("SCRIPT_NAME", ""),
        "path_info": path,
        "query": environ.get("QUERY_STRING", ""),
        "scheme": environ.get("wsgi.url_scheme", ""),
        "remote_addr": environ.get("REMOTE_ADDR", ""),
        "host": environ.get("HTTP_HOST", ""),
        "pid": os.getpid(),
        # Under `source:` the worker runs in releases/<id>: which release answered.
        "release": os.path.basename(os.getcwd()) if "/releases/" in os.getcwd() else None,
    }
    if ASSET:
        seen["asset"] = ASSET
    body = (json.dumps(seen, sort_keys=True) + "\n").encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
