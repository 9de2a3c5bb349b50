"""A minimal FastCGI client for the launcher tests (standard library only)."""
import socket
import struct


def _record(kind, content, request_id=1):
    return struct.pack("!BBHHBx", 1, kind, request_id, len(content), 0) + content


def _pairs(params):
    out = b""
    for name, value in params.items():
        n, v = name.encode(), value.encode()
        for length in (len(n), len(v)):
            out += bytes([length]) if length < 128 else struct.pack("!I", length | 0x80000000)
        out += n + v
    return out


def request(path, address, timeout=10):
    """GET `path` from a worker at a unix socket path or a (host, port); returns (status, body)."""
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(address)
    params = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "SERVER_NAME": "test",
              "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": ""}
    s.sendall(_record(1, struct.pack("!HB5x", 1, 0)) + _record(4, _pairs(params)) + _record(4, b"") + _record(5, b""))
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    stdout, i = b"", 0
    while i + 8 <= len(data):
        _, kind, _, length, padding = struct.unpack("!BBHHB", data[i:i + 7])
        if kind == 6:
            stdout += data[i + 8:i + 8 + length]
        i += 8 + length + padding
    head, _, body = stdout.partition(b"\r\n\r\n")
    status = 200
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            status = int(line.split()[1])
    return status, body
