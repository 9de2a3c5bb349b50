extension Scripts {
    /// Waits until no connection to the pool's workers on this host is open (the middle tier no
    /// longer sends it requests, in-flight ones have finished), at most `timeout` seconds.
    public static func waitDrained(_ pool: Pool, _ plan: HostPlan, timeout: Double) -> HostScript<DrainReply> {
        HostScript(.drainWait, drainLoop(pool, plan, timeout: timeout) + "exit 0\n", timeout: .seconds(Int64(timeout) + 30))
    }

    /// The wait itself: prints `@drained TICKS` or `@drain-timeout OPEN` and goes on.
    static func drainLoop(_ pool: Pool, _ plan: HostPlan, timeout: Double) -> ShellCode {
        let workers = plan.topology.workers(on: plan.host.name).filter { $0.pool == pool.name }
        var ports: [String] = [], sockets: [String] = []
        for w in workers {
            switch w.endpoint {
            // By address too: a host with several addresses (or the lab's hosts, which share
            // one network) has other sockets on the same port that are not this worker's.
            case .tcp(let address, let port): ports.append("src \(Topology.hostPort(address, port))")
            case .unix(let path): sockets.append(path)
            }
        }
        let tcp: ShellCode = ports.isEmpty ? "0" : "$(ss -Htn state established \("( " + ports.joined(separator: " or ") + " )") | wc -l)"
        let unix: ShellCode = sockets.isEmpty ? "0" : "$(ss -Hx state established | grep -cF \(sockets.flatMap { ["-e", $0] }))"
        return """
        sleep 0.2
        i=0
        while :; do
          open=$(( \(tcp) + \(unix) ))
          [ "$open" -eq 0 ] && { \(ShellCode.emit(.drained, #""$i""#)); break; }
          i=$((i+1)); [ $i -ge \(Int(timeout * 10)) ] && { \(ShellCode.emit(.drainTimeout, #""$open""#)); break; }
          sleep 0.1
        done

        """
    }

    /// Removes all but the newest `keep` releases (never `current` or `previous`, nor the
    /// previous one before this switch, `$was`: a host switched back after a failed gate gets
    /// it as its previous again, the one `rollback` goes to) and virtualenvs no release uses any
    /// more: the end of a rollout's switch (`switchRelease(prune:)`).
    /// In a subshell of its own (it changes directory and may stop early).
    static func pruneBody(_ pool: Pool, _ plan: HostPlan) -> ShellCode {
        let t = plan.topology, root = t.poolDirectory(pool.name)
        return """
        (
        cd \(t.releasesDirectory(pool.name)) 2>/dev/null || exit 0
        cur=$(basename "$(readlink ../current)"); prev=$(cat ../previous 2>/dev/null)
        n=0
        for r in $(ls -1t); do
          case "$r" in *.tmp) continue ;; esac
          n=$((n+1))
          if [ $n -gt \(pool.keepReleases) ] && [ "$r" != "$cur" ] && [ "$r" != "$prev" ] && [ "$r" != "${was:-}" ]; then rm -rf "$r"; \(ShellCode.emit(.pruned, "release", #""$r""#)); fi
        done
        for v in \(root + "/venvs")/*; do
          [ -d "$v" ] || continue
          used=0; for r in */venv; do [ "$(readlink "$r")" = "../../venvs/$(basename "$v")" ] && used=1; done
          [ $used -eq 0 ] && rm -rf "$v" && \(ShellCode.emit(.pruned, "venv", #""$(basename "$v")""#))
        done
        exit 0
        )

        """
    }
}
