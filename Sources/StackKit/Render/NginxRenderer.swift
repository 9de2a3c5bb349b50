/// nginx.conf for the middle tier, standalone: its own prefix paths, temp paths, mime table and
/// complete FastCGI parameter list (Debian's fastcgi_params would send SCRIPT_NAME twice).
/// No upstream keepalive: a pooled connection pins a flup thread or child.
struct NginxRenderer {
    let topology: Topology
    let host: Host

    var manifest: Manifest { topology.manifest }
    var middle: Middle { manifest.middle }
    func q(_ s: String) -> String { Dialect.nginx(s) }

    func render() -> String {
        let run = topology.runDirectory, log = topology.logDirectory
        let temp = "\(topology.middleDirectory)/temp"
        var out = Dialect.header("#", stack: manifest.name, host: host.name)
        out += """
        daemon off;
        worker_processes auto;
        worker_rlimit_nofile \(topology.middleOpenFiles);
        user \(q(middle.user)) \(q(middle.group));
        pid \(q(run + "/nginx.pid"));
        error_log \(q(log + "/nginx-error.log")) warn;

        events {
            worker_connections \(middle.maxConnections);
        }

        http {
            # combined, then when (epoch) and which worker answered: status counts a canary's share.
            log_format stackctl '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                                '"$http_referer" "$http_user_agent" $msec "$upstream_addr"';
            access_log \(q(log + "/nginx-access.log")) stackctl;
            client_body_temp_path \(q(temp + "/client_body"));
            proxy_temp_path \(q(temp + "/proxy"));
            fastcgi_temp_path \(q(temp + "/fastcgi"));
            uwsgi_temp_path \(q(temp + "/uwsgi"));
            scgi_temp_path \(q(temp + "/scgi"));
            sendfile on;
            server_tokens off;
            absolute_redirect off;
            fastcgi_read_timeout \(manifest.front.timeout)s;
            # A worker silent past the connect timeout is skipped like one that refuses.
            fastcgi_connect_timeout \(middle.connectTimeout)s;
            fastcgi_next_upstream error timeout;
        \(usesSCGI ? "    scgi_read_timeout \(manifest.front.timeout)s;\n    scgi_connect_timeout \(middle.connectTimeout)s;\n    scgi_next_upstream error timeout;\n" + scgiMaps() : "")
        \(mimeTable())
        \(forwarding())
        \(upstreams())
            server {
                listen \(Topology.hostPort(topology.middleListenAddress(on: host.name), middle.port));
                server_name \(serverNames);
                root \(q(middle.staticRoot));
                index index.html;

        \(locations())
            }
        }

        """
        return out
    }

    var serverNames: String {
        manifest.front.serverNames.isEmpty ? "\"\"" : manifest.front.serverNames.map(q).joined(separator: " ")
    }

    /// nginx types take a bare type; the charset is added by the charset module.
    func mimeTable() -> String {
        let merged = MimeTypes.merged(with: middle.mimeTypes)
        var byType: [String: [String]] = [:]
        var order: [String] = []
        var charsetTypes: [String] = []
        for (ext, full) in merged {
            let type = String(full.split(separator: ";")[0])
            if byType[type] == nil { order.append(type) }
            byType[type, default: []].append(ext)
            if full.contains("charset"), !charsetTypes.contains(type), type != "text/html" { charsetTypes.append(type) }
        }
        let rows = order.sorted().map { "        \(q($0)) \(byType[$0]!.map(q).joined(separator: " "));" }
        // charset_types cannot be empty, and text/html is always in it (naming it is a warning):
        // when mime_types took the charset off every other type, a type nothing has stands in.
        let charsetList = charsetTypes.isEmpty ? ["application/x-stackctl-no-charset"] : charsetTypes.sorted()
        return "    types {\n" + rows.joined(separator: "\n") + "\n    }\n    default_type application/octet-stream;\n"
            + "    charset utf-8;\n    charset_types \(charsetList.map(q).joined(separator: " "));\n"
    }

    func forwarding() -> String {
        var out = ""
        for address in FrontSources.addresses(topology) { out += "    set_real_ip_from \(q(address));\n" }
        if !out.isEmpty { out += "    real_ip_header X-Forwarded-For;\n" }
        out += """
            map $http_x_forwarded_proto $stackctl_https {
                default "";
                https on;
            }
            map $http_x_forwarded_proto $stackctl_scheme {
                default $scheme;
                https https;
            }

        """
        return out
    }

    func upstreamName(_ pool: String) -> String { "\(manifest.name)_\(pool)" }

    /// Shared memory for the group's state, so every nginx worker process learns at once that a
    /// server failed (without it each learns on its own, each paying the connect timeout).
    /// A server takes about 1 KiB (64 IPv6 servers overflow 64 KiB, `nginx -t` says "no memory
    /// in upstream zone"): 32 KiB and 2 KiB a server, in steps of 64 KiB, so a host drained or
    /// added mostly leaves the size (and the zone across a reload) as it was.
    static func zone(_ name: String, servers: Int) -> String {
        "        zone \(name) \((32 + 2 * servers + 63) / 64 * 64)k;\n"
    }

    var usesSCGI: Bool { manifest.routesSCGI }

    func upstreams() -> String {
        let pools = middle.routes.map(\.pool).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return pools.compactMap(manifest.pool(named:)).map { pool in
            let servers = topology.upstreamWorkers(of: pool).map { worker -> String in
                let address: String = switch worker.endpoint {
                case .unix(let path): "unix:\(path)"
                case .tcp(let a, let p): Topology.hostPort(a, p)
                }
                return "        server \(q(address)) max_fails=1 fail_timeout=\(middle.retry)s;\n"
            }
            let method = middle.balance.nginx.map { "        \($0)\n" } ?? ""
            return "    upstream \(upstreamName(pool.name)) {\n" + method + Self.zone(upstreamName(pool.name), servers: servers.count)
                + servers.joined() + "    }\n"
        }.joined()
    }
}
