import Foundation

/// What `stackctl maintenance on` recorded on a front host, in `BASE/front/maintenance/on`.
public struct MaintenanceState: Sendable, Codable, Equatable {
    public var message: String
    public var retryAfter: Int
    public var since: String
    public var by: String

    public init(message: String, retryAfter: Int, since: String, by: String) {
        (self.message, self.retryAfter, self.since, self.by) = (message, retryAfter, since, by)
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// A front host's maintenance mode: nil when off.
public struct MaintenanceReply: ScriptReply, Equatable {
    public var state: MaintenanceState?
    /// The host's front config predates maintenance mode (no rules to switch).
    public var unsupported = false

    public init(_ output: ScriptOutput) {
        guard let m = output.markers.last(where: { $0.tag == .maint }) else { return }
        state = Self.state(m)
        unsupported = m.fields[0] == "unsupported"
    }

    /// The state an `@maint` marker gives: nil unless `on` (an unreadable one reads as empty).
    static func state(_ m: Marker) -> MaintenanceState? {
        guard m.fields[0] == "on", m.fields.count > 1 else { return nil }
        return (try? JSONDecoder().decode(MaintenanceState.self, from: Data(m.fields[1].utf8)))
            ?? MaintenanceState(message: "", retryAfter: 0, since: "", by: "")
    }
}

extension Scripts {
    /// `@maint on JSON`, `@maint off`, or `@maint unsupported` where the front's config has no
    /// maintenance rules yet (deployed by an older stackctl: `up` renders them).
    static func maintenanceFacts(_ plan: HostPlan) -> ShellCode {
        let t = plan.topology, flag = t.maintenanceDirectory + "/on"
        return """
        if ! grep -qF \(ApacheRenderer.maintenancePath) \(t.frontConfigPath) 2>/dev/null; then \(ShellCode.emit(.maint, "unsupported"))
        elif [ -f \(flag) ]; then \(ShellCode.emit(.maint, "on", "\"$(head -c 8192 \(flag) | head -n 1)\""))
        else \(ShellCode.emit(.maint, "off")); fi

        """
    }

    /// Maintenance on at a front host: the page and Retry-After first, then `on` (the switch,
    /// renamed into place). Apache looks for it on each request: no reload.
    public static func maintenanceOn(_ plan: HostPlan, _ state: MaintenanceState, page: String) -> HostScript<MaintenanceReply> {
        let dir = plan.topology.maintenanceDirectory
        var s = maintenanceFacts(plan)
        s += """
        grep -qF \(ApacheRenderer.maintenancePath) \(plan.topology.frontConfigPath) 2>/dev/null || exit 0
        mkdir -p \(dir) && chmod 755 \(dir)
        put() { printf '%s' "$2" > "$1.new" && chmod 644 "$1.new" && mv -f "$1.new" "$1"; }
        put \(dir + "/page.html") \(page)
        put \(dir + "/retry-after") \(String(state.retryAfter))
        put \(dir + "/on") \(state.json + "\n")

        """
        return HostScript(.maintenance, s + maintenanceFacts(plan) + "exit 0\n", timeout: .seconds(30))
    }

    /// Maintenance off at a front host: `on` removed.
    public static func maintenanceOff(_ plan: HostPlan) -> HostScript<MaintenanceReply> {
        let off: ShellCode = "rm -f \(plan.topology.maintenanceDirectory + "/on")\n"
        return HostScript(.maintenance, off + maintenanceFacts(plan) + "exit 0\n", timeout: .seconds(30))
    }

    /// A front host's maintenance mode, read.
    public static func maintenanceStatus(_ plan: HostPlan) -> HostScript<MaintenanceReply> {
        HostScript(.maintenance, maintenanceFacts(plan) + "exit 0\n", timeout: .seconds(30))
    }
}
