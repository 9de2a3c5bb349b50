"""The embedded Python helpers print markers that stackctl's one parser reads: each `@` line
they print has a known tag and as many fields as the tag takes (Tests/Fixtures/markers.json,
kept equal to Marker.Tag's arities by MarkerContractTests), split as Marker.parse splits."""
import binascii
import json
import os
import socket
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = os.path.join(HERE, "..", "..", "Sources", "StackKit", "Python")
with open(os.path.join(HERE, "..", "Fixtures", "markers.json")) as f:
    GRAMMAR = json.load(f)

sys.path.insert(0, HERE)
import test_supervisor_control  # noqa: E402  (a real supervisord, set up and torn down)


def check(testcase, output):
    """Every line that starts with `@` parses; returns the markers as (tag, fields)."""
    markers = []
    for line in output.splitlines():
        if not line.startswith("@"):
            continue
        name, _, rest = line[1:].partition(" ")
        testcase.assertIn(name, GRAMMAR, line)
        low, high = GRAMMAR[name]
        fields = rest.split(" ", high - 1) if high > 0 else []
        if high == 0:
            testcase.assertEqual(rest, "", line)
        testcase.assertTrue(low <= len(fields) <= high, "%s: %d fields, takes %d to %d" % (line, len(fields), low, high))
        markers.append((name, fields))
    return markers


class RelayMarkers(unittest.TestCase):
    def test_the_relay_prints_one_probes_marker(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens: the answer is a refusal
        # One exchange as Relay.encode writes it: kind, address, port, timeout, payload length.
        with open(os.path.join(PYTHON, "relay.py")) as f:
            script = f.read()
        exchange = ("tcp 127.0.0.1 %d 1 1\nx" % port).encode()
        payload = binascii.b2a_base64(exchange).decode().strip()
        r = subprocess.run([sys.executable, "-I", "-S", "-c", script, payload], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        markers = check(self, r.stdout.decode())
        self.assertEqual([m[0] for m in markers], ["probes"], r.stdout)


class SupervisorControlMarkers(test_supervisor_control.SupervisorControlTests):
    def test_status_and_detail_print_markers_the_parser_reads(self):
        self.assertEqual(self.control("start", "g:sleeper").returncode, 0)
        self.assertEqual(self.control("start", "ghost").returncode, 0)
        status = check(self, self.control("status").stdout)
        self.assertIn(("running", ["g:sleeper"]), status)
        detail = check(self, self.control("detail").stdout)
        self.assertEqual(sorted({m[0] for m in detail}), ["proc", "spawnerr"])
        self.assertTrue(any(m[0] == "spawnerr" and m[1][0] == "ghost" for m in detail))


# The inherited tests run once, in test_supervisor_control.
for name in [n for n in dir(test_supervisor_control.SupervisorControlTests) if n.startswith("test_")]:
    setattr(SupervisorControlMarkers, name, None)

if __name__ == "__main__":
    unittest.main()
