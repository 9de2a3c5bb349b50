# supervisor 4.2 imports pkg_resources only to resolve the rpcinterface factory (options.py's
# import_spec), and importing it is more than half of supervisord's start-up and of reading a
# config. This stand-in offers just that; `supervise` runs a supervisor entry point with it,
# and again with the real pkg_resources if that supervisor wants more of it.
import importlib, sys, types
class EntryPoint:
    def __init__(self, spec):
        self.spec = spec
    @classmethod
    def parse(cls, text):
        return cls(text.split("=", 1)[1].strip())
    def resolve(self):
        module, _, attrs = self.spec.partition(":")
        obj = importlib.import_module(module.strip())
        for a in filter(None, attrs.strip().split(".")):
            obj = getattr(obj, a)
        return obj
def supervise(run):
    stand_in = types.ModuleType("pkg_resources")
    stand_in.EntryPoint = EntryPoint
    sys.modules["pkg_resources"] = stand_in
    # Nor does supervisor speak TLS: xmlrpc.client's http.client goes without ssl when it
    # cannot be imported (a tenth of the start-up). The programs it starts are not affected.
    # Its hashes (medusa's auth) come from Python's own builtins when OpenSSL's _hashlib is not
    # loaded: loading it is a twentieth of the start-up.
    blocked = [m for m in ("ssl", "_hashlib") if m not in sys.modules]
    for m in blocked:
        sys.modules[m] = None
    # Nor does supervisord make HTTP requests (supervisorctl does): http.client, and the email
    # package it loads (a sixth of the start-up), stand in as the one class that supervisor's
    # xmlrpc module subclasses for its client.
    if "http.client" not in sys.modules:
        client = types.ModuleType("http.client")
        class HTTPConnection:
            pass
        client.HTTPConnection = client.HTTPSConnection = HTTPConnection
        sys.modules["http.client"] = client
        blocked.append("http.client")
    try:
        run()
    except AttributeError as e:
        if "pkg_resources" not in str(e):
            raise
        for m in blocked:
            del sys.modules[m]
        for name in [m for m in sys.modules if m == "pkg_resources" or m.startswith("supervisor")]:
            del sys.modules[name]
        run()
