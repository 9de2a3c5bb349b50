"""The probe relay carries bytes to each endpoint and reports every outcome by name."""
import base64
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RELAY = os.path.join(HERE, "..", "..", "Sources", "StackKit", "Python", "relay.py")


def run(exchanges):
    data = encode(exchanges)
    out = subprocess.run([sys.executable, RELAY], input=data, stdout=subprocess.PIPE, check=True, timeout=30).stdout
    answers, i = [], 0
    while i < len(out):
        nl = out.index(b"\n", i)
        head = out[i:nl].decode().split(" ", 3)
        n = int(head[2])
        answers.append((head[0], out[nl + 1:nl + 1 + n], head[3] if len(head) > 3 else ""))
        i = nl + 1 + n
    return answers


def encode(exchanges):
    return b"".join(("%s %d\n" % (head, len(payload))).encode() + payload for head, payload in exchanges)


def serve_once(handle):
    """A loopback listener whose first connection goes to handle(conn) on a thread."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    threading.Thread(target=lambda: handle(server.accept()[0]), daemon=True).start()
    return server, server.getsockname()[1]


class RelayTests(unittest.TestCase):
    def test_answers_come_back_in_order_with_their_outcomes(self):
        def echo(conn):
            conn.sendall(b"got " + conn.recv(100))
            conn.close()

        server, port = serve_once(echo)
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
        closed.close()
        missing = os.path.join(tempfile.mkdtemp(), "none.sock")
        answers = run([("tcp 127.0.0.1 %d 5" % port, b"ping"), ("tcp 127.0.0.1 %d 5" % dead_port, b"x"), ("unix %s 5" % missing, b"x")])
        server.close()
        self.assertEqual(answers[0][:2], ("ok", b"got ping"))
        self.assertEqual(answers[1][0], "refused")
        self.assertEqual(answers[2][0], "missing")

    def test_inside_a_host_script_it_takes_base64_and_prints_one_marker(self):
        # The inspect script's stdin is the script itself: the relay must not read it.
        def echo(conn):
            conn.sendall(b"got\n" + conn.recv(100))
            conn.close()

        server, port = serve_once(echo)
        arg = base64.b64encode(encode([("tcp 127.0.0.1 %d 5" % port, b"ping\x00\xff")])).decode()
        r = subprocess.run([sys.executable, "-I", "-S", RELAY, arg], input=b"echo not for the relay\n", stdout=subprocess.PIPE, check=True, timeout=30)
        server.close()
        lines = r.stdout.decode().split("\n")
        self.assertEqual(lines[1:], [""], "one line")
        tag, data = lines[0].split(" ")
        self.assertEqual(tag, "@probes")
        head, _, got = base64.b64decode(data).partition(b"\n")
        outcome, _, length, message = head.decode().split(" ")
        self.assertEqual((outcome, int(length), message, got), ("ok", 10, "", b"got\nping\x00\xff"))

    def test_it_waits_for_an_endpoint_that_is_not_listening_yet_until_its_time(self):
        # A port that nothing listens on for 0.3 s, then answers; and one that never listens.
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        late_port = probe.getsockname()[1]
        probe.close()
        never = socket.socket()
        never.bind(("127.0.0.1", 0))
        never_port = never.getsockname()[1]
        never.close()

        def listen_late():
            time.sleep(0.3)
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", late_port))
            server.listen(1)
            conn = server.accept()[0]
            conn.sendall(b"up " + conn.recv(10))
            conn.close()
            server.close()

        threading.Thread(target=listen_late, daemon=True).start()
        arg = base64.b64encode(encode([("tcp 127.0.0.1 %d 5" % late_port, b"x"), ("tcp 127.0.0.1 %d 5" % never_port, b"y")])).decode()
        start = time.monotonic()
        out = subprocess.run([sys.executable, "-I", "-S", RELAY, arg, "1.5"], stdout=subprocess.PIPE, check=True, timeout=30).stdout
        took = time.monotonic() - start
        data = base64.b64decode(out.decode().split(" ")[1])
        first, _, rest = data.partition(b"\n")
        self.assertEqual(first.decode().split(" ")[0], "ok")
        self.assertTrue(rest.startswith(b"up x"), rest)
        self.assertIn(b"up xrefused ", data)
        self.assertGreaterEqual(took, 1.5, "the refused one was asked until its time")

    def test_a_tls_exchange_says_which_certificate_was_served(self):
        d = tempfile.mkdtemp()
        cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "30",
                        "-subj", "/CN=shop.example.test", "-addext", "subjectAltName=DNS:shop.example.test,DNS:www.example.test"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        def secure(conn):
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"secure " + tls.recv(100))

        server, port = serve_once(secure)
        answers = run([("tls 127.0.0.1 %d shop.example.test 5" % port, b"ping")])
        server.close()
        outcome, got, message = answers[0]
        self.assertEqual((outcome, got), ("ok", b"secure ping"))
        kind, epoch, names = message.split(" ")
        self.assertEqual((kind, names), ("tls", "shop.example.test,www.example.test"))
        self.assertAlmostEqual(int(epoch), time.time() + 30 * 86400, delta=3600)


if __name__ == "__main__":
    unittest.main()
