/// Bad manifests and the exact diagnostics each must give. Each starts from the same valid
/// stack so the line numbers are easy to check by eye.
enum BadManifestCases {
    /// A valid manifest; cases replace or append lines. Line numbers: 1 name, 2 hosts, 3 a,
    /// 4 b, 5 front, 6 front.hosts, 7 middle, 8 server, 9 hosts, 10 static, 11 routes, 12 pools,
    /// 13 main, 14 wsgi, 15 directory, 16 hosts.
    static let valid = """
    name: shop
    hosts:
      a: { address: 127.0.3.1 }
      b: { address: 127.0.3.2 }
    front:
      hosts: [a]
    middle:
      server: nginx
      hosts: [a]
      static: { root: /srv/static }
      routes: { /: main }
    pools:
      main:
        wsgi: app:application
        directory: /srv/app
        hosts: [b]
    """

    static func replacing(_ line: Int, with text: String) -> String {
        var lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[line - 1] = text
        return lines.joined(separator: "\n")
    }

    static func appending(_ text: String) -> String { valid + "\n" + text }

    static let all: [(name: String, yaml: String, expected: [String])] = [
        ("yaml syntax", replacing(6, with: "  hosts: [a"), [
            "7:7: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 6)",
        ]),
        ("tab indentation", replacing(6, with: "\thosts: [a]"), [
            "6:1: YAML syntax error: found character that cannot start any token (while scanning for the next token at line 6) (indent with spaces, not tabs)",
        ]),
        ("duplicate key", replacing(4, with: "  a: { address: 127.0.3.9 }"), [
            "4:3: hosts.a: duplicate key 'a' (first given at 3:3)",
        ]),
        ("unknown top key", replacing(1, with: "nmae: shop"), [
            "1:1: nmae: unknown key 'nmae' (did you mean 'name'?)",
        ]),
        ("unknown nested key", replacing(15, with: "    directroy: /srv/app"), [
            "15:5: pools.main.directroy: unknown key 'directroy' (did you mean 'directory'?)",
        ]),
        ("unknown host in front", replacing(6, with: "  hosts: [c]"), [
            "6:11: front.hosts[0]: unknown host 'c' (defined hosts: a, b)",
        ]),
        ("misspelt host", replacing(16, with: "    hosts: [bb]"), [
            "16:13: pools.main.hosts[0]: unknown host 'bb' (did you mean 'b'? defined hosts: a, b)",
        ]),
        ("unknown middle server", replacing(8, with: "  server: apache"), [
            "8:11: middle.server: unknown value 'apache' (one of: lighttpd, nginx)",
        ]),
        ("misspelt middle server", replacing(8, with: "  server: ngnix"), [
            "8:11: middle.server: unknown value 'ngnix' (did you mean 'nginx'?)",
        ]),
        ("route to unknown pool", replacing(11, with: "  routes: { /: mian }"), [
            "11:13: middle.routes./: unknown pool 'mian' (did you mean 'main'?)",
        ]),
        ("pool with no route", appending("  extra:\n    wsgi: x:y\n    directory: /srv/x\n    hosts: [b]"), [
            "18:5: pools.extra: pool 'extra' has no route, so no request can reach it (add a route under middle.routes, e.g. '/extra: extra')",
        ]),
        ("two routes one prefix", replacing(11, with: "  routes: { /: main, /api: main, /api/: main }"), [
            "11:34: middle.routes./api: two routes claim the prefix '/api' (already routed to pool 'main'; write each prefix once, without a trailing '/')",
        ]),
        ("unix socket across hosts", appending("    socket: unix"), [
            "17:13: pools.main.socket: a unix socket on host 'b' cannot be reached from middle host 'a' (use 'socket: tcp' or 'auto' for pools on other hosts)",
        ]),
        ("port clash", replacing(3, with: "  a: { address: 127.0.3.1 }\n  c: { address: 127.0.3.3 }").replacingOccurrences(of: "  hosts: [b]", with: "  hosts: [a]\n    socket: tcp\n    port: 80"), [
            "19:11: pools.main.port: port 80 on host 'a' is taken twice: by the front and by pool 'main' instance 0 (give each listener on a host its own port)",
        ]),
        ("worker count beyond sense", appending("    instances: 500"), [
            "17:16: pools.main.instances: 500 is out of range (allowed: 1...64)",
        ]),
        ("too many prefork workers", appending("    server: prefork\n    instances: 64\n    prefork: { max_children: 500 }"), [
            "18:16: pools.main.instances: host 'b' would run up to 32000 worker processes; the limit is 1024 (lower instances or prefork.max_children)",
        ]),
        ("quote in path", replacing(15, with: "    directory: '/srv/app\"; evil'"), [
            "15:16: pools.main.directory: path '/srv/app\"; evil' contains '\"' (allowed: letters, digits and ._-/@+=,:~)",
        ]),
        ("newline in env value", appending("    env: { GREETING: \"hi\\nthere\" }"), [
            "17:22: pools.main.env.GREETING: value 'hi\\nthere' contains a newline (allowed: any text without control characters or newlines)",
        ]),
        ("brace in server name", replacing(6, with: "  hosts: [a]\n  server_names: ['x}y']"), [
            "7:18: front.server_names[0]: server name 'x}y' contains '}' (allowed: letters, digits, '.', '-' and '*')",
        ]),
        ("semicolon in user", appending("    user: 'www;rm'"), [
            "17:11: pools.main.user: user or group 'www;rm' contains ';' (allowed: letters, digits, '_' and '-')",
        ]),
        ("relative path", replacing(15, with: "    directory: srv/app"), [
            "15:16: pools.main.directory: path 'srv/app' must be absolute (start it with '/')",
        ]),
        ("bad wsgi entry", replacing(14, with: "    wsgi: app.application"), [
            "14:11: pools.main.wsgi: WSGI entry 'app.application' must look like 'package.module:callable'",
        ]),
        ("bad port", replacing(6, with: "  hosts: [a]\n  port: 70000"), [
            "7:9: front.port: 70000 is out of range (allowed: 1...65535)",
        ]),
        ("port not a number", replacing(6, with: "  hosts: [a]\n  port: eighty"), [
            "7:9: front.port: expected a whole number, found 'eighty'",
        ]),
        ("address ssh would read as an option", replacing(4, with: "  b: { address: -D1080 }"), [
            "4:17: hosts.b.address: address '-D1080' must not start with '-' (ssh would read it as an option)",
        ]),
        ("flow sequences nested thousands deep", appending("deep: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)), [
            "17:70: YAML nested deeper than 64 levels (a manifest needs a handful of levels)",
        ]),
        ("mappings nested thousands deep", appending("deep: " + String(repeating: "{a: ", count: 3000) + "1" + String(repeating: "}", count: 3000)), [
            "17:259: YAML nested deeper than 64 levels (a manifest needs a handful of levels)",
        ]),
        ("host without address", replacing(4, with: "  b: {}"), [
            "4:6: hosts.b: host 'b' needs an address or 'local: true'",
        ]),
        ("static root in project", replacing(10, with: "  static: { root: /srv }"), [
            "10:19: middle.static.root: static root '/srv' would serve stackctl's directory for stack 'shop', which holds each pool's env (/srv/stackctl/shop) (point it at a directory that holds only static files, apart from code and from 'base')",
            "10:19: middle.static.root: static root '/srv' would serve the code of pool 'main' (/srv/app) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        ("alias hides route", replacing(10, with: "  static: { root: /srv/static, aliases: { /api/: /srv/static } }").replacingOccurrences(of: "{ /: main }", with: "{ /: main, /api/v1: main }"), [
            "10:50: middle.static.aliases./api/: static alias '/api/' hides route '/api/v1' (pool 'main') (static paths never reach an app; move the route or the alias)",
        ]),
        ("missing required keys", "name: x\nhosts:\n  a: { local: true }", [
            "1:1: front: missing required key 'front'",
            "1:1: middle: missing required key 'middle' (or give front.static and front.routes for Apache to serve without a middle tier)",
            "1:1: pools: missing required key 'pools'",
        ]),
        ("prefork settings on threaded", appending("    server: threaded\n    prefork: { max_children: 4 }"), [
            "18:14: pools.main.prefork: settings for 'prefork' given, but the server is 'threaded'",
        ]),
        ("socket path too long", replacing(1, with: "name: shop\nbase: /srv/" + String(repeating: "x", count: 100)).replacingOccurrences(of: "hosts: [b]", with: "hosts: [a]"), [
            "2:7: base: socket path '/srv/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/run/main/0.sock' is 121 bytes; unix sockets allow at most 107 (shorten base)",
        ]),
        ("two local hosts", replacing(4, with: "  b: { local: true }\n  c: { local: true }"), [
            "5:15: hosts.c.local: only one host can be local; 'b' already is",
        ]),
        ("front balance Apache lacks", replacing(6, with: "  hosts: [a]\n  balance: client_address"), [
            "7:12: front.balance: Apache does not balance by 'client_address' (one of: round_robin, least_connections, traffic)",
        ]),
        ("middle balance unknown", replacing(9, with: "  hosts: [a]\n  balance: round-robin"), [
            "10:12: middle.balance: unknown value 'round-robin' (did you mean 'round_robin'?)",
        ]),
        ("middle connect timeout out of range", replacing(9, with: "  hosts: [a]\n  connect_timeout: 0\n  retry: 0"), [
            "10:20: middle.connect_timeout: 0 is out of range (allowed: 1...60)",
            "11:10: middle.retry: 0 is out of range (allowed: 1...3600)",
        ]),
        ("middle and front both serving", replacing(6, with: "  hosts: [a]\n  routes: { /: main }"), [
            "7:11: front.routes: with a middle tier, 'routes' belongs under middle (move it to middle.routes, or leave out middle for Apache to serve the stack itself)",
        ]),
        ("no middle and no routes", valid.replacingOccurrences(of: "middle:\n  server: nginx\n  hosts: [a]\n  static: { root: /srv/static }\n  routes: { /: main }\n", with: "  static: { root: /srv/static }\n"), [
            "6:3: front.routes: missing required key 'routes' (without a middle tier the front passes its routes to the pools)",
            "10:5: pools.main: pool 'main' has no route, so no request can reach it (add a route under front.routes, e.g. '/main: main')",
        ]),
        ("not a mapping", "- just\n- a list", [
            "1:1: a manifest must be a mapping with the keys name, base, process_manager, require_destination, hosts, front, middle, pools, found a list",
        ]),
        ("second document", valid + "\n---\nname: again", [
            "17:1: a manifest is one YAML document; found a second one",
        ]),
    ]
}
