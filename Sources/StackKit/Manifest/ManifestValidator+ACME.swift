/// ACME certificates are for names the CA can check over http-01: listed, no wildcard (that
/// takes dns-01) and no address.
extension ManifestValidator {
    mutating func checkACME() {
        guard manifest.front.tls?.acme != nil else { return }
        let names = manifest.front.serverNames
        if names.isEmpty {
            fail("front.server_names", "ACME needs the names to get a certificate for", hint: "list them: server_names: [www.example.com]",
                 at: "front.tls.acme")
        }
        for (i, name) in names.enumerated() {
            let path = manifest.itemPath("front.server_names", i)
            if name.contains("*") || name.hasPrefix(".") {
                fail(path, "'\(name)' is a wildcard: an ACME certificate over http-01 names each host",
                     hint: "list the names themselves, or give a certificate of your own (certificate, key)")
            } else if Topology.isAddressLiteral(name) {
                fail(path, "'\(name)' is an address: the CA issues ACME certificates for DNS names", hint: "list the site's DNS names")
            }
        }
    }
}
