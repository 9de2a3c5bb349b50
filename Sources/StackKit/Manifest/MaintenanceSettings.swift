/// `front.maintenance`: while `stackctl maintenance on` holds, the front answers 503 with a page,
/// except to these client networks (the team, testing behind the page) and its health path.
public struct MaintenanceSettings: Sendable, Equatable {
    /// Client networks (`10.0.0.0/8`, `2001:db8::/32`, an address) the app still answers.
    public var allow: [String] = []
    /// A local directory holding the operator's own `503.html` (relative to the manifest).
    public var errorPages: String? = nil

    public init(allow: [String] = [], errorPages: String? = nil) {
        self.allow = allow
        self.errorPages = errorPages
    }
}
