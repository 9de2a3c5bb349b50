/// How a tier spreads requests over the next tier's members. Round robin is the default on
/// every server: lighttpd's own default ("fair", least busy first) sent 55-64 of 64 concurrent
/// requests to the first of 4 worker hosts (field notes), nginx and Apache already rotate.
public enum Balance: String, Sendable, CaseIterable, Equatable {
    case roundRobin = "round_robin"
    /// The member with the fewest requests in progress.
    case leastConnections = "least_connections"
    /// The same client address goes to the same member while it is up.
    case clientAddress = "client_address"
    /// The same URL path goes to the same member (cache locality).
    case url
    /// Apache only: the member that has moved the fewest bytes.
    case traffic

    /// The choices the middle servers offer (lighttpd and nginx both have all four).
    public static let middle: [Balance] = [.roundRobin, .leastConnections, .clientAddress, .url]
    /// The choices Apache's balancer offers (mod_lbmethod_byrequests, _bybusyness, _bytraffic).
    public static let front: [Balance] = [.roundRobin, .leastConnections, .traffic]

    /// lighttpd's `fastcgi.balance`.
    var lighttpd: String {
        switch self {
        case .roundRobin, .traffic: "round-robin"
        case .leastConnections: "least-connection"
        case .clientAddress: "sticky"
        case .url: "hash"
        }
    }

    /// nginx's directive in an `upstream` block; nil for its default (round robin).
    var nginx: String? {
        switch self {
        case .roundRobin, .traffic: nil
        case .leastConnections: "least_conn;"
        case .clientAddress: "ip_hash;"
        case .url: "hash $uri consistent;"
        }
    }

    /// Apache's lbmethod and the module that provides it.
    var apache: (method: String, module: (String, String)) {
        switch self {
        case .leastConnections: ("bybusyness", ("lbmethod_bybusyness_module", "mod_lbmethod_bybusyness.so"))
        case .traffic: ("bytraffic", ("lbmethod_bytraffic_module", "mod_lbmethod_bytraffic.so"))
        default: ("byrequests", ("lbmethod_byrequests_module", "mod_lbmethod_byrequests.so"))
        }
    }
}
