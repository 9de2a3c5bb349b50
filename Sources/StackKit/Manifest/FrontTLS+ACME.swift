/// Certificates from an ACME CA (Let's Encrypt, or a private one) through Apache's own mod_md:
/// it registers, answers the `http-01` challenge on the plain port, stores the certificate and
/// renews it in the background; a graceful reload puts a new one in service (`up` does that).
public struct ACME: Sendable, Equatable {
    public static let letsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

    /// The contact the CA writes to about expiry and revocation.
    public var email: String
    public var directory = ACME.letsEncrypt
    /// A private CA's root certificate (a local PEM file, shipped), which mod_md trusts for the
    /// directory's TLS (`MDCACertificateFile`).
    public var caCertificate: FrontTLS.Source? = nil
    /// mod_md's `MDRenewWindow`: `30d`, or a share of the lifetime, `33%` (its default).
    public var renewWindow: String? = nil
    /// How long `up` waits for a first certificate before it gives up, in seconds.
    public var wait = 90

    public init(email: String) { self.email = email }
}
