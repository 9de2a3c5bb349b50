/// The acceptance suite's classes of hostile and unusual manifests, each as a few cases with
/// the exact diagnostics (position, key path, message) they must give. Built on
/// `BadManifestCases.valid` (line 10 is `middle.static`, 15 `pools.main.directory`).
enum HostileManifestCases {
    static let valid = BadManifestCases.valid
    static func replacing(_ line: Int, with text: String) -> String { BadManifestCases.replacing(line, with: text) }
    static func appending(_ text: String) -> String { BadManifestCases.appending(text) }

    static let all: [(name: String, yaml: String, expected: [String])] = [
        // Class 2: the static root and aliases, compared as normalised paths, both ways.
        ("static root equal to code after '//'", replacing(10, with: "  static: { root: //srv//app/ }"), [
            "10:19: middle.static.root: static root '/srv/app' would serve the code of pool 'main' (/srv/app) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        ("static root equal to code after '.'", replacing(10, with: "  static: { root: /srv/./app/. }"), [
            "10:19: middle.static.root: static root '/srv/app' would serve the code of pool 'main' (/srv/app) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        ("static root '/' spelled '//.'", replacing(10, with: "  static: { root: //. }"), [
            "10:19: middle.static.root: static root '/' would serve stackctl's directory for stack 'shop', which holds each pool's env (/srv/stackctl/shop) (point it at a directory that holds only static files, apart from code and from 'base')",
            "10:19: middle.static.root: static root '/' would serve the code of pool 'main' (/srv/app) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        ("static root inside base", replacing(10, with: "  static: { root: /srv/stackctl/shop/pools }"), [
            "10:19: middle.static.root: static root '/srv/stackctl/shop/pools' lies inside stackctl's directory for stack 'shop', which holds each pool's env (/srv/stackctl/shop) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        ("alias into stackctl's directory", replacing(10, with: "  static: { root: /srv/static, aliases: { /x: /srv/stackctl/shop/pools/main } }"), [
            "10:47: middle.static.aliases./x: static alias '/x/' directory '/srv/stackctl/shop/pools/main' lies inside stackctl's directory for stack 'shop', which holds each pool's env (/srv/stackctl/shop) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        ("alias above the code", replacing(10, with: "  static: { root: /srv/static, aliases: { /x: /srv/ } }"), [
            "10:47: middle.static.aliases./x: static alias '/x/' directory '/srv' would serve stackctl's directory for stack 'shop', which holds each pool's env (/srv/stackctl/shop) (point it at a directory that holds only static files, apart from code and from 'base')",
            "10:47: middle.static.aliases./x: static alias '/x/' directory '/srv' would serve the code of pool 'main' (/srv/app) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        ("static root in a release directory", replacing(15, with: "    source: /tmp").replacingOccurrences(of: "root: /srv/static", with: "root: /srv/stackctl/shop/pools/main/releases/abc"), [
            "10:19: middle.static.root: static root '/srv/stackctl/shop/pools/main/releases/abc' lies inside the releases of pool 'main' (/srv/stackctl/shop/pools/main) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        ("paste file under the static root", replacing(14, with: "    paste: /srv/static/app.ini#main"), [
            "10:19: middle.static.root: static root '/srv/static' would serve the Paste Deploy file of pool 'main' (/srv/static/app.ini) (point it at a directory that holds only static files, apart from code and from 'base')",
        ]),
        // Class 4: accepted before, refused by the real server.
        ("wildcard inside a server name", replacing(6, with: "  hosts: [a]\n  server_names: [www.example.com, 'ex*mple.com', '*.*.example.com', '*']"), [
            "7:35: front.server_names[1]: server name 'ex*mple.com' has a wildcard nginx refuses (one '*' as the whole first or last label: *.example.com or www.example.*)",
            "7:50: front.server_names[2]: server name '*.*.example.com' has a wildcard nginx refuses (one '*' as the whole first or last label: *.example.com or www.example.*)",
            "7:69: front.server_names[3]: server name '*' has a wildcard nginx refuses (one '*' as the whole first or last label: *.example.com or www.example.*)",
        ]),
        ("server name listed twice", replacing(6, with: "  hosts: [a]\n  server_names: [www.example.com, WWW.example.com]"), [
            "7:35: front.server_names[1]: server name 'WWW.example.com' is listed twice",
        ]),
        ("pool named like the middle tier under supervisord", valid.replacingOccurrences(of: "main", with: "middle").replacingOccurrences(of: "name: shop", with: "name: shop\nprocess_manager: supervisord").replacingOccurrences(of: "hosts: [b]", with: "hosts: [a]"), [
            "15:5: pools.middle: pool 'middle' would be supervisord's 'shop-middle' on host 'a', which is the middle server's name (rename the pool)",
        ]),
        ("supervisord socket too long", replacing(1, with: "name: shop\nbase: /srv/" + String(repeating: "y", count: 90) + "\nprocess_manager: supervisord"), [
            "2:7: base: supervisord's socket '/srv/yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy/run/supervisor.sock' is 115 bytes; unix sockets allow at most 107 (shorten base)",
        ]),
        ("name too long for a file name", replacing(13, with: "  " + String(repeating: "p", count: 65) + ":").replacingOccurrences(of: "{ /: main }", with: "{ /: " + String(repeating: "p", count: 65) + " }"), [
            "11:16: middle.routes./: name 'pppppppppppppppppppp...' is 65 characters; at most 64 (names become unit, program and file names)",
            "13:3: pools.ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp: name 'pppppppppppppppppppp...' is 65 characters; at most 64 (names become unit, program and file names)",
        ]),
        ("front as root", replacing(6, with: "  hosts: [a]\n  user: root"), [
            "7:9: front.user: Apache refuses to serve as root (use an unprivileged account such as www-data; Apache starts as root and drops to it)",
        ]),
        ("lighttpd as root", replacing(8, with: "  server: lighttpd\n  user: root\n  group: root"), [
            "9:9: middle.user: lighttpd refuses to run with user root (use an unprivileged account such as www-data)",
            "10:10: middle.group: lighttpd refuses to run with group root (use an unprivileged account such as www-data)",
        ]),
        ("pool as nobody under systemd", appending("    user: nobody\n    group: nogroup"), [
            "17:11: pools.main.user: systemd refuses user 'nobody' for a unit (host 'b'): it is shared by unrelated services (give the pool an account of its own)",
            "18:12: pools.main.group: systemd refuses group 'nogroup' for a unit (host 'b'): it is shared by unrelated services (give the pool an account of its own)",
        ]),
        ("two hosts at one address", replacing(4, with: "  b: { address: 127.0.3.1 }"), [
            "4:17: hosts.b.address: hosts 'a' and 'b' have the same address '127.0.3.1' (one machine is one host; list it once and give it every tier it runs)",
        ]),
        ("names that differ only in case", replacing(4, with: "  b: { address: 127.0.3.2 }\n  B: { address: 127.0.3.3 }"), [
            "5:6: hosts.B: 'B' and 'b' differ only in case (nginx and some file systems would take them for one name)",
        ]),
        // Class 5: positions.
        ("bad value through an alias", replacing(1, with: "name: shop\nx-bad: &bad '127.0.0.1;'").replacingOccurrences(of: "b: { address: 127.0.3.2 }", with: "b: { address: *bad }"), [
            "2:1: x-bad: unknown key 'x-bad' (known keys here: name, base, process_manager, require_destination, hosts, front, middle, pools)",
            "5:17: hosts.b.address: address '127.0.0.1;' contains ';' (allowed: an IPv4 or IPv6 address or a host name)",
        ]),
        ("raw control byte", replacing(15, with: "    directory: /srv/a\u{1}pp"), [
            "15:22: YAML syntax error: control characters are not allowed (U+0001)",
        ]),
        ("repeated host after an invalid one", replacing(16, with: "    hosts: [b, 'x;y', b]"), [
            "16:16: pools.main.hosts[1]: name 'x;y' contains ';' (allowed: letters, digits, '_' and '-')",
            "16:23: pools.main.hosts[2]: host 'b' is listed twice",
        ]),
        ("repeated host then an unknown one", replacing(16, with: "    hosts: [b, b, zz]"), [
            "16:16: pools.main.hosts[1]: host 'b' is listed twice",
            "16:19: pools.main.hosts[2]: unknown host 'zz' (defined hosts: a, b)",
        ]),
        // Class 6: messages.
        ("key with terminal escapes", appending("    \"x\\e[31mred\\nline\": 1"), [
            "17:5: pools.main.x\\u{1B}[31mred\\nline: unknown key 'x\\u{1B}[31mred\\nline' (known keys here: wsgi, paste, directory, python, virtualenv, env, user, group, server, threaded, prefork, instances, hosts, socket, protocol, port, health, source, ref, keep_releases, drain_timeout, release_command, data, release_command_timeout)",
        ]),
        // Round two (issue 27): control characters of every kind, and keys that collide.
        ("C1 control character in an env value", appending("    env: { A: \"next\\Nline\" }"), [
            "17:15: pools.main.env.A: value 'next\\u{0085}line' contains a control character (U+85) (allowed: any text without control characters or newlines)",
        ]),
        ("line separator in an env value", appending("    env: { A: \"one\\Ltwo\" }"), [
            "17:15: pools.main.env.A: value 'one\\u{2028}two' contains a control character (U+2028) (allowed: any text without control characters or newlines)",
        ]),
        ("pool user with a leading '-'", appending("    user: -oProxy"), [
            "17:11: pools.main.user: user or group '-oProxy' must start with a letter or '_' (systemd refuses other names; a number is taken as an id)",
        ]),
        ("pool group with a leading digit", appending("    group: 1st"), [
            "17:12: pools.main.group: user or group '1st' must start with a letter or '_' (systemd refuses other names; a number is taken as an id)",
        ]),
        ("middle user of 32 characters", replacing(9, with: "  hosts: [a]\n  user: abcdefghijklmnopqrstuvwxyz012345"), [
            "10:9: middle.user: user or group 'abcdefghijklmnopqrst...' is 32 characters; at most 31 (systemd refuses longer names)",
        ]),
        ("pool with secrets whose user is the middle's by number", appending("    user: '33'\n    env: { K: { from_env: HOME } }"), [
            "17:11: pools.main.user: pool 'main' has secrets (env K), and its user '33' cannot be told apart from the middle server's user 'www-data' (give both by name (or both by number), so stackctl can check they differ)",
        ]),
        ("pool with secrets sharing the middle's group as 033 and 33", replacing(9, with: "  hosts: [a]\n  group: '33'").replacingOccurrences(of: "    hosts: [b]", with: "    hosts: [b]\n    group: '033'\n    env: { K: { from_env: HOME } }"), [
            "18:12: pools.main.group: pool 'main' has secrets (env K) but shares the middle server's group '033', which could read them (leave 'group' out to give the pool its own account, or name one of its own)",
        ]),
        ("mime extension with and without its dot", replacing(10, with: "  static: { root: /srv/static }\n  mime_types: { .css: text/css, CSS: text/plain }"), [
            "11:33: middle.mime_types.CSS: extension 'CSS' is given twice: '.css' names it too (keep one of them)",
        ]),
    ]
}
