extension ManifestShape {
    static let middle = ObjectShape("The middle tier: lighttpd or nginx, serving static files itself and app routes over FastCGI.", [
        Field("server", .choice(MiddleServer.allCases.map(\.rawValue)), required: true, "lighttpd or nginx."),
        Field("hosts", .strings(.name, unique: true), required: true, "The hosts it runs on."),
        Field("address", .string(.address), "The address it listens on (default: each host's address)."),
        Field("port", .integer(port), "Its HTTP port (default 8000)."),
        Field("user", .string(.serviceAccount), "The account it runs as (default www-data)."),
        Field("group", .string(.serviceAccount), "Its group (default www-data)."),
        Field("static", .object(staticFiles), "The static files it serves itself (default: none, every URL a route's or a 404)."),
        Field("mime_types", mimeTypes, "Content types by file extension, beyond the built-in table."),
        Field("routes", routes, required: true, "URL prefixes passed to pools over FastCGI: `/: main`, `/api: api`."),
        Field("max_connections", .integer(16...65536), "Connections it takes at once (default 1024)."),
        Field("connect_timeout", .integer(1...60), "Seconds it waits for a connection to a worker before trying another (default 2)."),
        Field("retry", .integer(1...3600), "Seconds a worker that failed stays out of the rotation (default 20)."),
        Field("balance", .choice(Balance.middle.map(\.rawValue)), "How requests are spread over a pool's workers (default round_robin)."),
        Field("health", .object(middleHealth), "The middle tier's health checks."),
    ])

    static let mimeTypes = Shape.named(key: .extensionName, value: .string(.mimeType), atLeastOne: false)
    static let routes = Shape.named(key: .urlPrefix, value: .string(.name), atLeastOne: true)

    static let staticFiles = ObjectShape("Static files, served by the middle tier itself.", [
        Field("root", .either([.string(.path), .object(shipped)]),
            "The directory served for URLs no route or alias claims, on each middle host; or `{source: DIR}` to ship it as releases (default: an empty one, BASE/empty, as when `/` is routed)."),
        Field("aliases", .named(key: .urlPrefix, value: .either([.string(.path), .object(shipped), .object(servedData)]), atLeastOne: false),
            "More URL prefixes and their directories (or `{source: DIR}` to ship them, `{data: POOL/NAME}` to serve a pool's data directory)."),
        Field("keep_releases", .integer(2...100), "Shipped static releases kept on each host (default 5)."),
    ])

    static let shipped = ObjectShape("A local directory of static files, shipped to the middle hosts as releases.", [
        Field("source", .localPath, required: true, "The local directory (relative to the manifest), or a git work tree."),
        Field("ref", .string(.gitRef), "A git ref to ship from the source's repository (default: the directory as it is)."),
    ])

    static let servedData = ObjectShape("A pool's data directory, served read-only (Django's MEDIA_ROOT at MEDIA_URL).", [
        Field("data", .string(.dataReference), required: true, "The pool and its data directory: `main/media`."),
    ])

    static let middleHealth = ObjectShape("The middle tier's health checks, through its own port.", [
        Field("static", .string(.urlPath), "A static file's path to ask."),
        Field("app", .string(.urlPath), "An app path to ask."),
        Field("timeout", .duration, "How long it may take to become healthy (default 30 s)."),
        Field("slow", .duration, "An answer slower than this counts as slow (default 1 s; under timeout)."),
        Field("host", .string(.address), "The site name the probes send as Host, HTTP_HOST and SERVER_NAME (default: the front's first server name)."),
    ])
}
