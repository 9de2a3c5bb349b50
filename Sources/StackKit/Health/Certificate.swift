import Foundation

/// The certificate a front served to a TLS probe: when it expires and the names it covers.
public struct Certificate: Sendable, Equatable, Codable {
    /// Not valid after this moment (seconds since 1970).
    public var notAfter: Double
    public var names: [String]
    /// The name the probe asked for (the front's server name).
    public var serverName: String

    public init(notAfter: Double, names: [String], serverName: String) {
        self.notAfter = notAfter
        self.names = names
        self.serverName = serverName
    }

    /// From the relay's `tls NOT_AFTER_EPOCH NAME,...`; nil when the handshake told nothing.
    init?(relayMessage: String, serverName: String) {
        let parts = relayMessage.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "tls", let epoch = Double(parts[1]), epoch > 0 else { return nil }
        self.init(notAfter: epoch, names: parts.count > 2 ? parts[2].split(separator: ",").map(String.init) : [], serverName: serverName)
    }

    /// Whole days until it expires (negative once it has).
    public func daysLeft(now: Date = Date()) -> Int { Int(((notAfter - now.timeIntervalSince1970) / 86_400).rounded(.down)) }

    /// Whether it covers the server name: exactly, or by a `*.` wildcard for one label.
    public var coversName: Bool {
        let name = serverName.lowercased()
        return names.contains { pattern in
            let p = pattern.lowercased()
            if p.hasPrefix("*.") {
                guard let dot = name.firstIndex(of: ".") else { return false }
                return name[name.index(after: dot)...] == p.dropFirst(2)
            }
            return p == name
        }
    }

    /// Under this many days, `status` warns.
    public static let warningDays = 14

    /// What is wrong with it, if anything: expired, or not for the server name (degraded); or a
    /// warning that it expires soon.
    public func problem(now: Date = Date()) -> (degraded: Bool, text: String)? {
        let days = daysLeft(now: now)
        if days < 0 { return (true, "its certificate expired \(-days) day\(-days == 1 ? "" : "s") ago") }
        if !coversName, !Topology.isAddressLiteral(serverName) {
            return (true, "its certificate is for \(names.joined(separator: ", ")), not \(serverName)")
        }
        if days < Self.warningDays { return (false, "its certificate expires in \(days) day\(days == 1 ? "" : "s")") }
        return nil
    }
}
