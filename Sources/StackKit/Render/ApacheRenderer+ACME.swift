/// Certificates from an ACME CA through mod_md: one managed domain for the server names,
/// issued over http-01 on the plain port (mod_md answers the challenge before any rewrite or
/// proxy sees the request), renewed in the background into its store and put in service by a
/// graceful reload. Its status (JSON) is answered to the front host itself, for `status` and
/// for `up`, which reloads when a renewed certificate waits.
extension ApacheRenderer {
    func acme() -> String {
        guard let acme = front.tls?.acme else { return "" }
        let own = topology.frontConnectAddress(of: host.name)
        var out = """

        # Certificates from \(acme.directory) (mod_md).
        MDStoreDir \(q(topology.acmeStoreDirectory))
        MDCertificateAuthority \(q(acme.directory))
        MDCertificateAgreement accepted
        MDContactEmail \(q(acme.email))

        """
        if acme.caCertificate != nil { out += "MDCACertificateFile \(q(topology.acmeCAPath))\n" }
        if let window = acme.renewWindow { out += "MDRenewWindow \(window)\n" }
        out += "MDomain \(front.serverNames.joined(separator: " "))\n"
        // Last, so that no route's <Location> takes the path from it.
        out += """
        <Location \(q(Topology.acmeStatusPath))>
            SetHandler md-status
            \(Topology.isAddressLiteral(own) ? "Require ip \(own)" : "Require local")
        </Location>

        """
        return out
    }
}
