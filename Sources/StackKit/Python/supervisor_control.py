import http.client, socket, sys, time, xmlrpc.client
# A program that cannot be spawned (its command is missing) is left to the health gate, which
# reads supervisord's spawn error for the why.
NO_FILE, NOT_EXECUTABLE, SPAWN_ERROR, ALREADY_STARTED, NOT_RUNNING = 20, 21, 50, 60, 70
UNSPAWNABLE = (NO_FILE, NOT_EXECUTABLE, SPAWN_ERROR)
sock, command, names = sys.argv[1], sys.argv[2], sys.argv[3:]
# XML-RPC over supervisord's unix socket with the standard library alone: importing
# supervisor's own transport doubled this script's start-up, and it runs on every inspect.
class UnixConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout if isinstance(self.timeout, (int, float)) else None)
        self.sock.connect(sock)
class UnixTransport(xmlrpc.client.Transport):
    def make_connection(self, host):
        return UnixConnection("localhost")
s = xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport()).supervisor
def call(f, *args, ok=()):
    try:
        return f(*args)
    except xmlrpc.client.Fault as e:
        if e.faultCode in ok:
            return None
        print("%s %s: %s" % (command, " ".join(str(a) for a in args), e.faultString))
        sys.exit(1)
if command == "status":
    for p in s.getAllProcessInfo():
        name = p["name"] if p["group"] == p["name"] else p["group"] + ":" + p["name"]
        if p["statename"] in ("RUNNING", "STARTING"):
            print("@running " + name)
elif command == "detail":
    import os, shlex, shutil
    commands = {}
    for c in s.getAllConfigInfo():
        commands[c["name"] if c["group"] == c["name"] else c["group"] + ":" + c["name"]] = c.get("command", "")
    for p in s.getAllProcessInfo():
        name = p["name"] if p["group"] == p["name"] else p["group"] + ":" + p["name"]
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
            call(s.stopProcess, n, True, ok=(NOT_RUNNING,))
        call(s.startProcess, n, False, ok=(ALREADY_STARTED,) + UNSPAWNABLE)
elif command == "restart":
    # Stop every instance at once, wait until all have exited, then start them.
    for n in names:
        call(s.stopProcess, n, False, ok=(NOT_RUNNING,))
    deadline = time.time() + 60
    while time.time() < deadline and any(s.getProcessInfo(n)["statename"] in ("STOPPING", "RUNNING", "STARTING") for n in names):
        time.sleep(0.05)
    for n in names:
        call(s.startProcess, n, False, ok=(ALREADY_STARTED,) + UNSPAWNABLE)
elif command == "stop":
    for n in names:
        call(s.stopProcess, n, True, ok=(NOT_RUNNING,))
elif command == "signal":
    call(s.signalProcess, names[1], names[0])
elif command == "update":
    added, changed, removed = s.reloadConfig()[0]
    for g in removed + changed:
        call(s.stopProcessGroup, g, True)
        call(s.removeProcessGroup, g)
    for g in added + changed:
        call(s.addProcessGroup, g)
elif command == "shutdown":
    call(s.shutdown)
