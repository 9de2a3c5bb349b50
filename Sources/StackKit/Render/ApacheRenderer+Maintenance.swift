/// Maintenance mode at the front, switched by a file and never by a reload: while
/// `BASE/front/maintenance/on` exists, every request but the front's health path (stackctl's
/// probe of it, when it is `/`) and the allowed client networks is answered 503 with `page.html` and a Retry-After from
/// `retry-after`. `stackctl maintenance on` writes them; `off` removes `on`. No request is
/// dropped either way: Apache looks for the file on each request.
extension ApacheRenderer {
    /// The URL the page is served at, for the 503s only.
    static let maintenancePath = "/stackctl-maintenance.html"

    var maintenanceFlag: String { topology.maintenanceDirectory + "/on" }

    /// Server-wide: the page, its error document while maintenance holds, and the Retry-After.
    func maintenancePage() -> String {
        let dir = topology.maintenanceDirectory, flag = maintenanceFlag
        return """

        # Maintenance mode (`stackctl maintenance on|off`).
        Alias \(q(Self.maintenancePath)) \(q(dir + "/page.html"))
        <Directory \(q(dir))>
            Options None
            Require all granted
        </Directory>
        <If "-f '\(flag)'">
            ErrorDocument 503 \(Self.maintenancePath)
        </If>
        Header always set Retry-After "expr=%{file:\(dir)/retry-after}" "expr=%{REQUEST_STATUS} == 503 && -f '\(flag)'"

        """
    }

    /// The rules, in the server and in each virtual host that serves the site (mod_rewrite's
    /// rules are not inherited): the health path, the page itself and the allowed networks pass.
    func maintenance(_ indent: String = "") -> String {
        var lines = [
            "RewriteEngine On",
            "RewriteCond \(q(maintenanceFlag)) -f",
            // The health path passes; when it is the site's root, only stackctl's own probe does.
            front.health.path == "/"
                ? "RewriteCond expr \"! (%{REQUEST_URI} == '/' && %{HTTP_USER_AGENT} == 'stackctl-probe')\""
                : "RewriteCond %{REQUEST_URI} !=\(front.health.path)",
            "RewriteCond %{REQUEST_URI} !=\(Self.maintenancePath)",
        ]
        if front.tls?.acme != nil { lines.append("RewriteCond %{REQUEST_URI} !=\(Topology.acmeStatusPath)") }
        for network in front.maintenance.allow { lines.append("RewriteCond expr \"! -R '\(network)'\"") }
        lines.append("RewriteRule ^ - [R=503,L]")
        return lines.map { indent + $0 + "\n" }.joined() + "\n"
    }
}
