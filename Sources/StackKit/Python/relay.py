# Only what every run needs is imported up front (this runs on every inspect and every gate):
# ssl, os and tempfile cost more than the rest together, and only a TLS exchange needs them;
# the C modules _socket and _thread, not socket.py and threading (a third of a start each).
import _socket, _thread, binascii, sys, time
def certificate(s):
    # The served leaf: "tls NOT_AFTER_EPOCH NAME,NAME" (subjectAltName DNS names, else the CN).
    der = s.getpeercert(binary_form=True)
    if not der:
        return "tls 0 "
    fd, path = tempfile.mkstemp()
    try:
        os.write(fd, ssl.DER_cert_to_PEM_cert(der).encode())
        os.close(fd)
        info = ssl._ssl._test_decode_cert(path)
    finally:
        os.unlink(path)
    names = [v for k, v in info.get("subjectAltName", ()) if k == "DNS"]
    if not names:
        names = [v for rdn in info.get("subject", ()) for k, v in rdn if k == "commonName"]
    return "tls %d %s" % (int(ssl.cert_time_to_seconds(info["notAfter"])), ",".join(names))
# The exchanges on stdin; or, inside a host script (whose stdin is the script), base64 in the
# first argument, and the answers printed as one `@probes BASE64` marker line. A second
# argument, in seconds: an endpoint that refuses or is missing is asked again until then (a
# worker just restarted binds its socket once its app is loaded).
marker = len(sys.argv) > 1
until = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 0)
data = binascii.a2b_base64(sys.argv[1]) if marker else sys.stdin.buffer.read()
jobs, i = [], 0
while i < len(data):
    nl = data.index(b"\n", i)
    head = data[i:nl].decode().split(" ")
    n = int(head[-1])
    jobs.append((head[:-1], data[nl + 1:nl + 1 + n]))
    i = nl + 1 + n
if any(head[0] == "tls" for head, _ in jobs):
    import os, socket, ssl, tempfile
    SSLError, Socket = ssl.SSLError, socket.socket
else:
    class SSLError(Exception):
        pass
    Socket = _socket.socket
results = [None] * len(jobs)
# Each exchange's thread releases its lock when done.
done = [_thread.allocate_lock() for _ in jobs]
def run(k, head, payload):
    try:
        while True:
            results[k] = attempt(head, payload)
            if results[k][0] not in ("refused", "missing") or time.monotonic() >= until:
                return
            time.sleep(0.02)
    finally:
        done[k].release()
def attempt(head, payload):
    start, got, outcome, message = time.monotonic(), [], "ok", ""
    try:
        if head[0] == "unix":
            s, addr, timeout = Socket(_socket.AF_UNIX, _socket.SOCK_STREAM), head[1], float(head[2])
        else:
            family = _socket.AF_INET6 if ":" in head[1] else _socket.AF_INET
            s, addr, timeout = Socket(family, _socket.SOCK_STREAM), (head[1], int(head[2])), float(head[-1])
        s.settimeout(timeout)
        s.connect(addr)
        if head[0] == "tls":
            # Any certificate is taken: the answer says what it is, the engine judges it.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            s = context.wrap_socket(s, server_hostname=head[3])
            message = certificate(s)
        s.sendall(payload)
        while True:
            b = s.recv(65536)
            if not b:
                break
            got.append(b)
    except SSLError as e:
        outcome, message = "error", "TLS: %s" % e
    except _socket.timeout:
        outcome, message = "timeout", "no answer within %ss" % timeout
    except ConnectionRefusedError as e:
        outcome, message = "refused", str(e)
    except FileNotFoundError as e:
        outcome, message = "missing", str(e)
    except PermissionError as e:
        outcome, message = "denied", str(e)
    except ConnectionResetError as e:
        outcome, message = "reset", str(e)
    except OSError as e:
        outcome, message = "error", str(e)
    return (outcome, int((time.monotonic() - start) * 1000), b"".join(got), message.replace("\n", " "))
for k, (h, p) in enumerate(jobs):
    done[k].acquire()
    _thread.start_new_thread(run, (k, h, p))
for lock in done:
    lock.acquire()
out = []
for outcome, ms, got, message in results:
    out.append(("%s %d %d %s\n" % (outcome, ms, len(got), message)).encode())
    out.append(got)
out = b"".join(out)
sys.stdout.buffer.write(b"@probes " + binascii.b2a_base64(out) if marker else out)
sys.stdout.buffer.flush()
