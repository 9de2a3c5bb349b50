/// deploy.yml as data: every key the decoder takes, with its rule and its help. The decoder
/// reads its objects through these shapes; `JSONSchema` publishes them.
public enum ManifestShape {
    static let port = 1...65535

    public static let root = ObjectShape("A stackctl manifest: one stack of Apache front, lighttpd or nginx middle and FastCGI worker pools.", [
        Field("name", .string(.name), required: true, "The stack's name: it names units, programs, accounts and stackctl's directory on each host."),
        Field("base", .string(.path), "stackctl's directory on each host (default /srv/stackctl/NAME): pool.json, sockets, releases."),
        Field("process_manager", .choice(ProcessManager.allCases.map(\.rawValue)), "What runs the programs on every host that does not say (default systemd)."),
        Field("require_destination", .boolean,
            "Refuse to run without -d NAME, which lays deploy.NAME.yml over this file (default false). Only in the manifest, not in an overlay."),
        Field("hosts", .named(key: .name, value: .object(host), atLeastOne: true), required: true, "The machines, by the names the tiers use."),
        Field("front", .object(front), required: true, "The Apache tier that takes the site's traffic."),
        Field("middle", .object(middle),
            "The lighttpd or nginx tier: static files itself, app routes to the pools over FastCGI. Leave it out, and give front.static and front.routes, for Apache to do both."),
        Field("pools", .named(key: .name, value: .object(pool), atLeastOne: true), required: true, "The FastCGI worker pools (WSGI apps under flup), by name."),
    ], rules: [.router("middle", in: "front", keys: routerKeys, required: ["routes"])])

    /// What the router serves: under `middle`, or under `front` without a middle tier.
    public static let routerKeys = ["static", "mime_types", "routes"]

    static let host = ObjectShape("A machine, reached over ssh (or this machine itself with `local: true`).", [
        Field("address", .string(.address), "The address the other tiers reach it at (and ssh, unless `ssh` says otherwise)."),
        Field("ssh", .string(.sshDestination), "The ssh destination as given to ssh: an alias of your ssh config, a host, or user@host (default: address)."),
        Field("user", .string(.account), "The ssh user (default: your ssh config's)."),
        Field("port", .integer(port), "The ssh port (default: your ssh config's)."),
        Field("local", .boolean, "This machine, without ssh; its address defaults to 127.0.0.1. At most one host."),
        Field("process_manager", .choice(ProcessManager.allCases.map(\.rawValue)), "systemd or supervisord on this host (default: the manifest's)."),
    ], rules: [.flagged("local", otherwiseRequired: "address", refusing: ["ssh"])])

    static func health(_ what: String) -> ObjectShape {
        ObjectShape("How \(what) is checked after each start and by `stackctl status`.", [
            Field("path", .string(.urlPath), "The path asked (default /)."),
            Field("timeout", .duration, "How long it may take to become healthy (default 30 s)."),
            Field("slow", .duration, "An answer slower than this counts as slow, shown as degraded (default 1 s; under timeout)."),
            Field("host", .string(.address), "The site name the probes send as Host, HTTP_HOST and SERVER_NAME (default: the front's first server name)."),
        ])
    }

    static let front = ObjectShape("The Apache 2.4 front (mod_proxy): takes the site's traffic and balances it over the middle hosts.", [
        Field("hosts", .strings(.name, unique: true), required: true, "The hosts Apache runs on."),
        Field("address", .string(.address), "The address Apache listens on (default: each host's address)."),
        Field("port", .integer(port), "The HTTP port (default 80)."),
        Field("server_names", .strings(.serverName, unique: true), "The site's host names (ServerName and ServerAlias)."),
        Field("user", .string(.serviceAccount), "The account Apache's workers run as (default www-data)."),
        Field("group", .string(.serviceAccount), "Their group (default www-data)."),
        Field("scheme", .string(.scheme), "X-Forwarded-Proto sent on: https when TLS ends before Apache (default http)."),
        Field("timeout", .integer(1...3600), "Seconds Apache waits for the middle tier's answer (default 60)."),
        Field("connect_timeout", .integer(1...60),
            "Seconds Apache waits for a connection to a middle host (or without a middle tier, a worker) before trying another (default 2)."),
        Field("retry", .integer(0...3600), "Seconds a middle host (or worker) that failed stays out of the balancer (default 10; 0 with one middle host)."),
        Field("balance", .choice(Balance.front.map(\.rawValue)), "How requests are spread over the middle hosts, or a pool's workers (default round_robin)."),
        Field("health", .object(health("the front")), "The front's health check."),
        Field("tls", .object(tls), "HTTPS at the front (mod_ssl)."),
        Field("maintenance", .object(maintenance), "What `stackctl maintenance on` lets through: client networks, and the page it shows."),
        Field("static", .object(staticFiles), "Without a middle tier: the static files Apache serves itself."),
        Field("mime_types", mimeTypes, "Without a middle tier: content types by file extension, beyond the built-in table."),
        Field("routes", routes, "Without a middle tier: URL prefixes Apache passes to pools over FastCGI: `/: main`, `/api: api`."),
    ])

    static let maintenance = ObjectShape("Maintenance mode at the front: a 503 with Retry-After and a page for everyone but these.", [
        Field("allow", .strings(.network, unique: true), "Client networks that still reach the app (the team testing behind the page)."),
        Field("error_pages", .localPath, "A local directory with your own 503.html (relative to the manifest); default a built-in page."),
    ])

    static let tls = ObjectShape("HTTPS at the front: the certificate chain and key shipped from local files, already on the front hosts, "
        + "or from an ACME CA (Let's Encrypt) through Apache's mod_md.", [
        Field("port", .integer(port), "The HTTPS port (default 443)."),
        Field("certificate", .localPath, "A local PEM certificate chain, shipped to the front hosts."),
        Field("key", .localPath, "A local PEM private key, shipped to the front hosts (0600, root)."),
        Field("certificate_path", .string(.path), "A certificate chain already on each front host."),
        Field("key_path", .string(.path), "A private key already on each front host."),
        Field("redirect", .boolean, "Plain HTTP answers with a redirect to HTTPS (default true)."),
        Field("hsts", .integer(0...315_360_000), "Strict-Transport-Security max-age in seconds; 0 sends none (default 63072000)."),
        Field("http2", .boolean, "HTTP/2 over TLS (default true)."),
        Field("acme", .object(acme), "Certificates for front.server_names from an ACME CA through mod_md, instead of certificate and key."),
    ], rules: [.atMostOne(["acme", "certificate", "certificate_path"]), .atMostOne(["acme", "key", "key_path"]),
               .otherwise("acme", oneOfEach: [["certificate", "certificate_path"], ["key", "key_path"]])])

    static let acme = ObjectShape("Certificates from an ACME CA through Apache's mod_md: issued for front.server_names over the http-01 "
        + "challenge on the plain port (80), renewed in the background, put in service by a graceful reload. Writing it accepts the CA's terms.", [
        Field("email", .string(.email), required: true, "The contact the CA registers (expiry and revocation notices)."),
        Field("directory", .string(.acmeDirectory), "The CA's ACME directory URL (default Let's Encrypt's production one)."),
        Field("ca_certificate", .localPath, "A private CA's root certificate (local PEM file, shipped): mod_md trusts it for the directory."),
        Field("renew_window", .string(.renewWindow), "When mod_md renews: days before expiry (30d) or a share of the lifetime (default 33%)."),
        Field("wait", .integer(5...900), "Seconds `up` waits for a first certificate (default 90)."),
    ])
}
