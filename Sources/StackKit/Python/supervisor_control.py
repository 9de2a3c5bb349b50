# The C modules, not socket.py, os or threading: their imports were most of this program's
# start (it runs on every inspect and every activation).
import _socket, posix, sys, time
from xml.parsers import expat
# A program that cannot be spawned (its command is missing) is left to the health gate, which
# reads supervisord's spawn error for the why.
NO_FILE, NOT_EXECUTABLE, SPAWN_ERROR, ALREADY_STARTED, NOT_RUNNING = 20, 21, 50, 60, 70
UNSPAWNABLE = (NO_FILE, NOT_EXECUTABLE, SPAWN_ERROR)
sock, command, names = sys.argv[1], sys.argv[2], sys.argv[3:]
# XML-RPC over supervisord's unix socket, by hand: this runs on every inspect, and importing
# xmlrpc.client (with http.client) took longer than everything else it does. The calls take
# strings and booleans; the answers hold strings, numbers, booleans, arrays and structs.
class Fault(Exception):
    def __init__(self, code, text):
        Exception.__init__(self, text)
        self.faultCode, self.faultString = code, text
def value(v):
    if isinstance(v, bool):
        return "<boolean>%d</boolean>" % v
    if isinstance(v, int):
        return "<int>%d</int>" % v
    return "<string>%s</string>" % str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
class Answer:
    """The unmarshaller of Python's xmlrpc.client, for the types supervisord sends."""
    def __init__(self):
        self.stack, self.marks, self.text, self.bare, self.fault = [], [], [], False, False
    def start(self, tag, attrs):
        if tag in ("array", "struct"):
            self.marks.append(len(self.stack))
        self.text, self.bare = [], tag == "value"
        self.fault = self.fault or tag == "fault"
    def chars(self, text):
        self.text.append(text)
    def end(self, tag):
        text = "".join(self.text)
        if tag in ("string", "name") or (tag == "value" and self.bare):
            self.stack.append(text)
        elif tag in ("int", "i4", "i8"):
            self.stack.append(int(text))
        elif tag == "boolean":
            self.stack.append(text.strip() == "1")
        elif tag == "double":
            self.stack.append(float(text))
        elif tag == "nil":
            self.stack.append(None)
        elif tag == "array":
            m = self.marks.pop()
            self.stack[m:] = [self.stack[m:]]
        elif tag == "struct":
            m = self.marks.pop()
            items = self.stack[m:]
            self.stack[m:] = [dict(zip(items[::2], items[1::2]))]
        self.text, self.bare = [], False
def rpc(method, *params):
    body = ("<?xml version='1.0'?><methodCall><methodName>supervisor.%s</methodName><params>%s</params></methodCall>"
            % (method, "".join("<param><value>%s</value></param>" % value(p) for p in params))).encode()
    c = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    # A supervisord just started (STACKCTL_SUPERVISOR_WAIT seconds) may not listen yet: its
    # first caller waits for it, instead of a status call in a loop before the real one.
    until = time.monotonic() + float(posix.environ.get(b"STACKCTL_SUPERVISOR_WAIT", b"0"))
    while True:
        try:
            c.connect(sock)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() >= until:
                raise
            time.sleep(0.02)
    c.sendall(b"POST /RPC2 HTTP/1.0\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    got = []
    while True:
        b = c.recv(65536)
        if not b:
            break
        got.append(b)
    c.close()
    head, _, xml = b"".join(got).partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        raise OSError("supervisord answered %s" % status.decode("latin-1"))
    a = Answer()
    p = expat.ParserCreate()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = a.start, a.end, a.chars
    p.Parse(xml, True)
    if a.fault:
        raise Fault(a.stack[0]["faultCode"], a.stack[0]["faultString"])
    return a.stack[0]
class Supervisor:
    def __getattr__(self, method):
        return lambda *params: rpc(method, *params)
s = Supervisor()
def call(f, *args, ok=()):
    try:
        return f(*args)
    except Fault as e:
        if e.faultCode in ok:
            return None
        print("%s %s: %s" % (command, " ".join(str(a) for a in args), e.faultString))
        sys.exit(1)
# `COMMAND PROGRAM... --relay FD CODE ARG...`: the probe relay (CODE) runs in this interpreter
# once the command is done (one Python start, not two: on every inspect, activation and
# rollout), its answers on descriptor FD, after STACKCTL_SAY's text (the step's own markers,
# which the script would print before a relay of its own). A relay that fails leaves the
# command's outcome as it is, as a relay of its own would.
relay = None
if "--relay" in names:
    k = names.index("--relay")
    names, relay = names[:k], names[k + 1:]
def ask(relay):
    sys.stdout.flush()
    sys.argv, out = ["relay"] + relay[2:], sys.stdout
    try:
        sys.stdout = open(int(relay[0]), "w", closefd=False)
        sys.stdout.write(posix.environ.get(b"STACKCTL_SAY", b"").decode())
        sys.stdout.flush()
        exec(compile(relay[1], "relay", "exec"), {"__name__": "__main__"})
    except Exception as e:
        sys.stderr.write("relay: %r\n" % e)
    finally:
        sys.stdout.flush()
        sys.stdout = out
def full(p):
    return p["name"] if p["group"] == p["name"] else p["group"] + ":" + p["name"]
def stop_all(names, groups=False):
    """Stops the programs (or groups) NAMES at once and waits until all have exited.

    Not with supervisord's own wait: a stop that waits is answered when supervisord next looks
    at its children, and with nothing else to wake it that is its poll's 1 s tick (a worker gone
    in 20 ms was reaped a second later, in every update). Each question here wakes it."""
    for n in names:
        call(s.stopProcessGroup if groups else s.stopProcess, n, False, ok=(NOT_RUNNING,))
    key = (lambda p: p["group"]) if groups else full
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(key(p) in names and p["statename"] in ("STOPPING", "RUNNING", "STARTING")
                                              for p in s.getAllProcessInfo()):
        time.sleep(0.03)
if command == "status":
    running = set()
    for p in s.getAllProcessInfo():
        name = full(p)
        if p["statename"] in ("RUNNING", "STARTING"):
            running.add(name)
            print("@running " + name)
    # With a relay, it runs when every PROGRAM runs.
    if relay and set(names) <= running:
        ask(relay)
elif command == "detail":
    import os, shlex, shutil
    commands = {}
    for c in s.getAllConfigInfo():
        commands[full(c)] = c.get("command", "")
    for p in s.getAllProcessInfo():
        name = full(p)
        up = p["now"] - p["start"] if p["statename"] == "RUNNING" else 0
        print("@proc %s %s %d %d" % (name, p["statename"].lower(), p["pid"], up))
        spawnerr = p["spawnerr"] if p["statename"] in ("BACKOFF", "FATAL") else ""
        if p["statename"] not in ("RUNNING", "STARTING"):
            # A command that is gone says so before any run is tried (supervisord checks it first).
            argv = shlex.split(commands.get(name, "") or "")
            if argv and not (shutil.which(argv[0]) if "/" not in argv[0] else os.access(argv[0], os.X_OK)):
                spawnerr = "can't find command '%s'" % argv[0]
        if spawnerr:
            print("@spawnerr %s %s" % (name, " ".join(spawnerr.split())))
elif command == "start":
    for n in names:
        # A program in BACKOFF counts as started for supervisord; start it afresh.
        if call(s.getProcessInfo, n)["statename"] == "BACKOFF":
            stop_all([n])
        call(s.startProcess, n, False, ok=(ALREADY_STARTED,) + UNSPAWNABLE)
    if relay:
        ask(relay)
elif command == "restart":
    # Stop every instance at once, wait until all have exited, then start them.
    stop_all(names)
    for n in names:
        call(s.startProcess, n, False, ok=(ALREADY_STARTED,) + UNSPAWNABLE)
    if relay:
        ask(relay)
elif command == "stop":
    stop_all(names)
elif command == "signal":
    call(s.signalProcess, names[1], names[0])
elif command == "update":
    added, changed, removed = s.reloadConfig()[0]
    stop_all(removed + changed, groups=True)
    for g in removed + changed:
        call(s.removeProcessGroup, g)
    for g in added + changed:
        call(s.addProcessGroup, g)
elif command == "shutdown":
    call(s.shutdown)
