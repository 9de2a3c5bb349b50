/// Rules for certificates from an ACME CA (`front.tls.acme`).
extension ValueRule {
    /// The contact mod_md registers with the CA: one address, `user@domain`.
    public static let email = ValueRule(what: "email address", characters: .ascii("._+-@"), allowedText: "letters, digits and ._+-@",
        schema: [.pattern("^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$")]) { text in
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !parts[1].contains(".."), !parts[1].contains("_"), !parts[1].contains("+") else {
            return Problem(message: "'\(text)' is not an email address", hint: "write it like ops@example.com")
        }
        return nil
    }

    /// An ACME directory: an https URL, as the CA publishes it.
    public static let acmeDirectory = ValueRule(what: "ACME directory", characters: .ascii(":/._~-?=&%+[]"),
        allowedText: "an https URL: letters, digits and :/._~-?=&%+[]", schema: [.pattern("^https://[^/]+(/.*)?$")]) { text in
        guard text.hasPrefix("https://"), text.count > 8, !text.dropFirst(8).hasPrefix("/") else {
            return Problem(message: "ACME directory '\(text)' is not an https URL", hint: "Let's Encrypt's is \(ACME.letsEncrypt)")
        }
        return nil
    }

    /// mod_md's renew window: days before expiry (`30d`) or a share of the lifetime (`33%`).
    public static let renewWindow = ValueRule(what: "renew window", characters: .ascii("%"), allowedText: "days like 30d, or a share like 33%",
        scalars: [], schema: [.pattern("^([0-9]{1,4}d|[0-9]{1,2}%)$")]) { text in
        let digits = text.dropLast()
        guard (1...4).contains(digits.count), digits.allSatisfy(\.isNumber), text.last == "d" || (text.last == "%" && digits.count <= 2) else {
            return Problem(message: "renew window '\(text)' is neither days (30d) nor a share of the lifetime (33%)")
        }
        return nil
    }
}
