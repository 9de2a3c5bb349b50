extension NginxRenderer {
    /// Static aliases take `^~` so no regex location can take their URLs; each prefix route gets
    /// an exact location (SCRIPT_NAME=/p, PATH_INFO empty) and a split one for /p/...; a root
    /// mount takes `location /` so everything else reaches the app.
    func locations() -> String {
        var out = ""
        for alias in middle.aliases.sorted(by: { $0.url < $1.url }) {
            out += "        location ^~ \(q(alias.url)) {\n            alias \(q(alias.directory));\n        }\n"
        }
        for (k, route) in middle.routes.sorted(by: { $0.prefix < $1.prefix }).enumerated() {
            let upstream = upstreamName(route.pool)
            if manifest.speaksSCGI(route) {
                out += scgiLocations(route, upstream, k)
            } else if route.isRoot {
                out += "        location / {\n" + pass(upstream, scriptName: "\"\"", pathInfo: "$uri") + "        }\n"
            } else {
                let p = route.prefix
                out += "        location = \(q(p)) {\n" + pass(upstream, scriptName: q(p), pathInfo: "\"\"") + "        }\n"
                out += "        location ^~ \(q(p + "/")) {\n"
                out += "            fastcgi_split_path_info \(q("^(\(Dialect.regex(p)))(/.*)$"));\n"
                out += pass(upstream, scriptName: "$fastcgi_script_name", pathInfo: "$fastcgi_path_info") + "        }\n"
            }
        }
        if !middle.routes.contains(where: \.isRoot) {
            out += "        location / {\n            try_files $uri $uri/ =404;\n        }\n"
        }
        return String(out.dropLast())
    }

    /// The complete parameter list a WSGI app needs; nothing is inherited from fastcgi_params.
    /// `module` is `fastcgi` or `scgi`: over SCGI nginx sends CONTENT_LENGTH first itself (a
    /// second, empty one makes flup refuse the request: "invalid CONTENT_LENGTH").
    func pass(_ upstream: String, scriptName: String, pathInfo: String, module: String = "fastcgi") -> String {
        let params: [(String, String)] = [
            ("GATEWAY_INTERFACE", "CGI/1.1"), ("SERVER_SOFTWARE", "nginx"),
            ("REQUEST_METHOD", "$request_method"), ("REQUEST_URI", "$request_uri"),
            ("QUERY_STRING", "$query_string"), ("CONTENT_TYPE", "$content_type"),
            ("CONTENT_LENGTH", "$content_length"), ("SCRIPT_NAME", scriptName), ("PATH_INFO", pathInfo),
            ("DOCUMENT_URI", "$document_uri"), ("SERVER_PROTOCOL", "$server_protocol"),
            ("REQUEST_SCHEME", "$stackctl_scheme"), ("REMOTE_ADDR", "$remote_addr"), ("REMOTE_PORT", "$remote_port"),
            ("SERVER_ADDR", "$server_addr"), ("SERVER_PORT", "$server_port"), ("SERVER_NAME", "$host"),
        ]
        var out = "            \(module)_pass \(upstream);\n"
        for (name, value) in params where module == "fastcgi" || name != "CONTENT_LENGTH" { out += "            \(module)_param \(name) \(value);\n" }
        out += "            \(module)_param HTTPS $stackctl_https if_not_empty;\n"
        return out
    }

    /// An SCGI route: nginx has no split_path_info for SCGI, so a prefix route's PATH_INFO
    /// comes from a `map` of the path (`scgiMaps`), numbered `k` as the routes are.
    func scgiLocations(_ route: Route, _ upstream: String, _ k: Int) -> String {
        if route.isRoot { return "        location / {\n" + pass(upstream, scriptName: "\"\"", pathInfo: "$uri", module: "scgi") + "        }\n" }
        let p = route.prefix
        return "        location = \(q(p)) {\n" + pass(upstream, scriptName: q(p), pathInfo: "\"\"", module: "scgi") + "        }\n"
            + "        location ^~ \(q(p + "/")) {\n" + pass(upstream, scriptName: q(p), pathInfo: "$stackctl_path_info_\(k)", module: "scgi") + "        }\n"
    }

    /// The PATH_INFO of each SCGI prefix route: the path after the prefix.
    func scgiMaps() -> String {
        var out = ""
        for (k, route) in middle.routes.sorted(by: { $0.prefix < $1.prefix }).enumerated()
        where !route.isRoot && manifest.speaksSCGI(route) {
            out += "    map $uri $stackctl_path_info_\(k) {\n        \(q("~^\(Dialect.regex(route.prefix))(?<stackctl_rest_\(k)>/.*)$")) $stackctl_rest_\(k);\n        default \"\";\n    }\n"
        }
        return out
    }
}
