extension ManifestShape {
    static let pool = ObjectShape("A pool of FastCGI workers: one WSGI app under flup, on one or more hosts.", [
        Field("wsgi", .string(.wsgi), "The app as `package.module:callable`."),
        Field("paste", .string(.paste), "The app as a Paste Deploy file: `/path/app.ini` or `/path/app.ini#name`."),
        Field("directory", .string(.path), "The app's working directory on each host (without `source`)."),
        Field("python", .string(.path), "The Python that runs the workers (default /usr/bin/python3)."),
        Field("virtualenv", .string(.path), "A virtualenv on each host whose Python runs the workers (without `source`)."),
        Field("env", .named(key: .envKey, value: .either([.string(.envValue), .object(secret)]), atLeastOne: false),
            "The workers' environment: values, or secrets read at deploy time."),
        Field("user", .string(.serviceAccount), "The account the workers run as (default: the pool's own, made on its hosts)."),
        Field("group", .string(.serviceAccount), "Their group (default: the pool's own)."),
        Field("server", .choice(ManifestDecoder.ServerKind.allCases.map(\.rawValue)),
            "flup's threaded or prefork server (default threaded, or prefork when `prefork` is given)."),
        Field("threaded", .object(threaded), "Settings of the threaded server."),
        Field("prefork", .object(prefork), "Settings of the prefork server."),
        Field("instances", .integer(1...64), "Worker processes per host (default 1)."),
        Field("hosts", .strings(.name, unique: true), required: true, "The hosts the workers run on."),
        Field("socket", .choice(SocketKind.allCases.map(\.rawValue)), "unix, tcp, or auto: unix where the middle runs on the same host (default auto)."),
        Field("protocol", .choice(Gateway.allCases.map(\.rawValue)), "How the router talks to the workers: fastcgi (default) or scgi (flup's SCGI server)."),
        Field("port", .integer(port), "The first TCP port; instance n listens on port + n (default 9000, 9100, ... by pool)."),
        Field("health", .object(health("a pool's workers")), "The workers' health check, spoken over FastCGI."),
        Field("source", .localPath, "A local directory (or git work tree) shipped to the hosts as releases, with its own virtualenv."),
        Field("ref", .string(.gitRef), "A git ref to ship from `source` (default: the directory as it is)."),
        Field("keep_releases", .integer(2...100), "Releases kept on each host (default 5)."),
        Field("drain_timeout", .duration, "How long a rollout waits for a drained worker's requests to finish (default 30 s)."),
        Field("release_command", .string(.command), "A command run once in each new release before it serves (migrations): `sh -c`, as the pool's user."),
        Field("data", .named(key: .name, value: .object(dataDirectory), atLeastOne: false),
            "Persistent directories by name (`media: {}`): made on every host of the pool, owned by its user, kept across releases, rollbacks and `down`; the app finds each through an environment variable."),
        Field("release_command_timeout", .duration,
            "How long the release_command may run before it and its processes are ended and nothing switches (default 10m)."),
    ], rules: [
        .exactlyOne(["wsgi", "paste"]),
        .atMostOne(["python", "virtualenv"]),
        .either("source", otherwise: "directory", refusing: ["directory", "virtualenv"], without: ["ref", "release_command", "release_command_timeout"]),
        .whenValue("server", is: "threaded", refusing: ["prefork"]),
        .whenValue("server", is: "prefork", refusing: ["threaded"]),
    ])

    static let dataDirectory = ObjectShape("A persistent directory of the pool's, writable by its user only.", [
        Field("path", .string(.path), "Where it is on each host (default BASE/data/POOL/NAME)."),
        Field("mode", .string(.fileMode), "Its mode in octal (default 0750); the pool's user needs rwx, and others get nothing."),
        Field("env", .string(.envKey), "The variable that gives the app its path (default NAME_DIR in capitals: MEDIA_DIR)."),
    ])

    static let secret = ObjectShape("A secret, read when stackctl deploys and written only to the pool's 0600 pool.json.", [
        Field("from_env", .string(.envKey), "An environment variable of the operator's shell."),
        Field("from_file", .localPath, "A local file (relative to the manifest); one trailing newline is dropped."),
        Field("from_command", .string(.command),
              "A command run once per deploy on this machine with sh -c (a password manager's CLI: op read, bw get, pass, vault); "
                + "its standard output, one trailing newline dropped."),
        Field("timeout", .duration, "How long from_command may take (default 30s, at most 10m); then it is ended."),
    ], rules: [.exactlyOne(["from_env", "from_file", "from_command"]), .requires("from_command", by: ["timeout"])])

    static let threaded = ObjectShape("flup's threaded server.", [
        Field("min_spare", .integer(1...256), "Idle threads kept at least (default 1)."),
        Field("max_spare", .integer(1...256), "Idle threads kept at most (default 5; not below min_spare)."),
        Field("max_threads", .integer(1...4096), "Threads at most (default: no limit; not below max_spare)."),
    ])

    static let prefork = ObjectShape("flup's prefork server.", [
        Field("min_spare", .integer(1...256), "Idle children kept at least (default 1)."),
        Field("max_spare", .integer(1...256), "Idle children kept at most (default 5; not below min_spare)."),
        Field("max_children", .integer(1...512), "Children at most (default 50; not below max_spare)."),
        Field("max_requests", .integer(0...1_000_000), "Requests a child serves before it is replaced (default 0: never)."),
    ])
}
