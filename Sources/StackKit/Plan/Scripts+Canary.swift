extension Scripts {
    /// While the lock is a paused rollout's, a middle host's count of the requests it sent each
    /// worker since then, as `@served WORKER COUNT`: lighttpd's own backend counters (read from
    /// this host; they start again when lighttpd reloads, as the pause's put-back did), or
    /// nginx's access log lines (the last 500000) stamped after the pause began.
    static func servedCounts(_ plan: HostPlan) -> ShellCode {
        let t = plan.topology, lock = lockPath(t)
        var s: ShellCode = #"if grep -qF '"paused":' \#(lock) 2>/dev/null; then"# + "\n"
        switch t.manifest.middle.server {
        case .lighttpd:
            // From the middle's own address, whatever source the kernel would pick (on loopback, 127.0.0.1).
            let address = t.middleConnectAddress(of: plan.host.name)
            let fetch = "import sys, http.client; a = sys.argv[1]; c = http.client.HTTPConnection(a, int(sys.argv[2]), timeout=5, "
                + "source_address=(a, 0)); c.request('GET', sys.argv[3]); sys.stdout.write(c.getresponse().read().decode())"
            s += #"  \#(plan.platform.python) -c \#(fetch) \#(address) \#(t.manifest.middle.port) \#(Topology.statisticsPath) 2>/dev/null | "#
                + #"awk '/^gw\.backend\.[^.]+\.[0-9]+\.connected: / "#
                + #"{ split($1, k, "."); n[k[3]] += $2 } END { for (b in n) printf "\#(format: .served, fields: 2)", b, n[b] }'"# + "\n"
        case .nginx:
            let log = "\(t.logDirectory)/nginx-access.log"
            s += #"  since=$(date -d "$(sed -n 's/.*"started":"\([^"]*\)".*/\1/p' \#(lock))" +%s 2>/dev/null || echo 0)"# + "\n"
            s += #"  [ -f \#(log) ] && tail -n 500000 \#(log) | awk -F'"' -v since="$since" 'NF > 3 && $(NF-2) + 0 >= since + 0 "#
                + #"{ m = split($(NF-1), u, ", "); if (u[m] != "" && u[m] != "-") n[u[m]]++ } "#
                + #"END { for (a in n) printf "\#(format: .served, fields: 2)", a, n[a] }'"# + "\n"
        }
        return s + "fi\n"
    }
}
