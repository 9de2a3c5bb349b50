#!/usr/bin/env python3
"""Steady HTTP load on a loopback URL, bounded in count and time, for rollout tests and the
bench. It runs until STOP_FILE exists, MAX_REQUESTS are sent, or MAX_SECONDS pass, then
prints one JSON line: requests, ok (2xx), non_2xx, errors, statuses (each non-2xx status and how
many times it came), releases seen, seconds. A page that
names an "asset" (a release's own static file) has it fetched too: assets, asset_errors.
With --timeline it adds one entry per second since the start: answers that were 2xx, failed
(non-2xx or error), and which worker pids answered (as the demo app names them).
An https URL is asked over TLS without verification (the lab's certificates are its own), each
request on a new connection: certificates counts the certificates served, by SHA-256.

With --rate R the requests start at R a second in all (each at its slot on a fixed schedule,
however long the ones before took): a steady load, where without it each thread sends its next
request as soon as its last is answered (as many as the stack serves: on the lab, whose hosts
share this machine's cores, that load takes the CPU the hosts need).

    load.py URL STOP_FILE [--concurrency 4] [--rate R] [--max-requests 20000] [--max-seconds 120] [--timeline] [--host NAME]
"""
import argparse, hashlib, http.client, json, os, ssl, threading, time, urllib.parse

p = argparse.ArgumentParser()
p.add_argument("url")
p.add_argument("stop_file")
p.add_argument("--concurrency", type=int, default=4)
p.add_argument("--rate", type=float, default=0, help="requests a second in all; 0: as fast as answered")
p.add_argument("--max-requests", type=int, default=20000)
p.add_argument("--max-seconds", type=float, default=120)
p.add_argument("--timeline", action="store_true")
p.add_argument("--host", help="the Host header to send (an app may refuse any other, as Django does)")
a = p.parse_args()
u = urllib.parse.urlsplit(a.url)
if not (u.hostname or "").startswith("127."):
    raise SystemExit("load.py only sends traffic to 127.0.0.0/8")

lock = threading.Lock()
counts = {"requests": 0, "ok": 0, "non_2xx": 0, "errors": 0, "assets": 0, "asset_errors": 0}
releases, samples, timeline, statuses, certificates = {}, [], [], {}, {}
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE
start = time.monotonic()

def done():
    return os.path.exists(a.stop_file) or counts["requests"] >= a.max_requests or time.monotonic() - start > a.max_seconds

def get(path):
    if u.scheme == "https":
        c = http.client.HTTPSConnection(u.hostname, u.port or 443, timeout=10, context=tls)
    else:
        c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
    c.request("GET", path, headers={"Host": a.host} if a.host else {})
    if u.scheme == "https":
        served = hashlib.sha256(c.sock.getpeercert(binary_form=True)).hexdigest()[:16]
        with lock:
            certificates[served] = certificates.get(served, 0) + 1
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body

def mark(ok, pid=None):
    """Counts one answer in the second it arrived (call with the lock held)."""
    second = int(time.monotonic() - start)
    while len(timeline) <= second:
        timeline.append({"ok": 0, "failed": 0, "pids": {}})
    entry = timeline[second]
    entry["ok" if ok else "failed"] += 1
    if pid is not None:
        entry["pids"][str(pid)] = entry["pids"].get(str(pid), 0) + 1

def worker():
    while True:
        with lock:
            if done():
                return
            counts["requests"] += 1
            slot = start + counts["requests"] / a.rate if a.rate > 0 else 0
        wait = slot - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            status, body = get(u.path or "/")
            page = {}
            with lock:
                if 200 <= status < 300:
                    counts["ok"] += 1
                    try:
                        page = json.loads(body)
                        rel = page.get("release")
                        releases[rel] = releases.get(rel, 0) + 1
                    except ValueError:
                        page = {}
                    mark(True, page.get("pid") if isinstance(page, dict) else None)
                else:
                    counts["non_2xx"] += 1
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                    samples.append("%d %s" % (status, body[:80]))
                    mark(False)
            if isinstance(page, dict) and page.get("asset"):
                status, _ = get(page["asset"])
                with lock:
                    counts["assets"] += 1
                    if not 200 <= status < 300:
                        counts["asset_errors"] += 1
                        samples.append("asset %d %s" % (status, page["asset"]))
        except Exception as e:
            with lock:
                counts["errors"] += 1
                samples.append(repr(e)[:120])
                mark(False)

threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
for t in threads:
    t.start()
for t in threads:
    t.join()
counts.update(rate=a.rate, releases=releases, statuses=statuses, certificates=certificates, seconds=round(time.monotonic() - start, 2), samples=samples[:5])
if a.timeline:
    counts["timeline"] = timeline
print(json.dumps(counts, sort_keys=True))
