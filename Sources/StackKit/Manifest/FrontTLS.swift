/// HTTPS at the front (Apache mod_ssl). The certificate chain and key come from local files,
/// shipped to the front hosts (the key 0600 root), from paths already on them, or from an
/// ACME CA through mod_md.
public struct FrontTLS: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// A local file, read when the manifest is loaded: its path and contents.
        case shipped(path: String, contents: String)
        /// A path on each front host, used where it is.
        case onHost(path: String)
        /// mod_md's store on each front host: the certificate an ACME CA issued (`acme`).
        case acme
    }

    public var port: Int = 443
    public var certificate: Source
    public var key: Source
    /// Plain HTTP on `front.port` answers with a 301 to the same URL over HTTPS.
    public var redirect = true
    /// Strict-Transport-Security max-age in seconds; 0 sends none.
    public var hsts = 63_072_000
    /// HTTP/2 over TLS (mod_http2; the front runs mpm_event, which allows it).
    public var http2 = true
    /// Certificate and key from an ACME CA through mod_md (then both sources are `.acme`).
    public var acme: ACME? = nil

    public init(certificate: Source, key: Source) {
        self.certificate = certificate
        self.key = key
    }
}

extension FrontTLS {
    /// The private key's lines, for redaction: a diff or a log shows it a line at a time.
    var keyLines: [String] {
        guard case .shipped(_, let contents) = key else { return [] }
        return contents.split(separator: "\n").map(String.init).filter { $0.count >= 16 && !$0.hasPrefix("-----") }
    }
}
