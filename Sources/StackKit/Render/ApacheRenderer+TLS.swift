/// HTTPS at the front: a TLS virtual host that proxies with `X-Forwarded-Proto: https`, and the
/// plain port either redirecting to it (301, path and query kept) or proxying as before.
/// Protocols and ciphers follow Mozilla's "intermediate" guidance (TLS 1.2 and 1.3, forward
/// secrecy and AEAD only, no session tickets), with the server's cipher order honoured: every
/// cipher on the list is strong, and an auditor (testssl) rates a client-chosen order NOT ok.
extension ApacheRenderer {
    static let ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"

    func https(_ tls: FrontTLS) -> String {
        let listen = topology.frontListenAddress(on: host.name)
        let plain = Topology.hostPort(listen, front.port), secure = Topology.hostPort(listen, tls.port)
        var out = """

        SSLProtocol -all +TLSv1.2 +TLSv1.3
        SSLCipherSuite \(Self.ciphers)
        SSLHonorCipherOrder on
        SSLSessionTickets off
        SSLSessionCache \(q("shmcb:" + topology.runDirectory + "/ssl_scache(512000)"))

        <VirtualHost \(plain)>
            ServerName \(serverName)

        """
        if tls.redirect {
            let port = tls.port == 443 ? "" : ":\(tls.port)"
            out += """
                RewriteEngine On

            """
            // stackctl's own read of mod_md's status stays on the plain port.
            if tls.acme != nil { out += "    RewriteRule ^\(Dialect.regex(Topology.acmeStatusPath))$ - [L]\n" }
            out += """
                RewriteCond %{HTTP_HOST} ^([^:]+)
                RewriteRule ^ https://%1\(port)%{REQUEST_URI} [R=301,L]
                RewriteRule ^ https://\(serverName)\(port)%{REQUEST_URI} [R=301,L]

            """
        } else {
            out += maintenance("    ") + "    RequestHeader set X-Forwarded-Proto \(q(front.scheme))\n" + pass("    ")
        }
        out += """
        </VirtualHost>

        <VirtualHost \(secure)>
            ServerName \(serverName)
            SSLEngine on

        """
        if let certificate = topology.tlsCertificatePath, let key = topology.tlsKeyPath {
            out += "    SSLCertificateFile \(q(certificate))\n    SSLCertificateKeyFile \(q(key))\n"
        } else {
            out += "    # Its certificate and key: mod_md's, for the managed domain that holds this name.\n"
        }
        if tls.http2 { out += "    Protocols h2 http/1.1\n" }
        if tls.hsts > 0 { out += "    Header always set Strict-Transport-Security \"max-age=\(tls.hsts)\"\n" }
        out += maintenance("    ") + "    RequestHeader set X-Forwarded-Proto \"https\"\n" + pass("    ") + "</VirtualHost>\n"
        return out
    }
}
