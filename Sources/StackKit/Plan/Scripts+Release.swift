import Foundation

extension Scripts {
    /// Unpacks a release into `releases/ID` and gives it a virtualenv: one per requirements hash
    /// (`venvs/HASH`, built with the pip cache), linked as `releases/ID/venv`. Does nothing when
    /// the release is already there. No traffic moves.
    public static func prepare(_ pool: Pool, _ release: ReleaseArchive, _ plan: HostPlan) -> String {
        let t = plan.topology, root = t.poolDirectory(pool.name)
        let dir = "\(t.releasesDirectory(pool.name))/\(release.id)", tmp = dir + ".tmp", venv = "\(root)/venvs/\(release.requirementsHash)"
        let data = Data(release.tarGz).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        let pip = [venv + "/bin/pip", "install", "--disable-pip-version-check", "-q", "--cache-dir", t.pipCache, ReleaseBuilder.flup]
        return prelude + """
        if [ -f \(q(dir + "/.stackctl-ready")) ]; then echo \(q("@prepared " + release.id + " already")); exit 0; fi
        mkdir -p \(q(t.releasesDirectory(pool.name))) \(q(root + "/venvs")) \(q(t.pipCache))
        rm -rf \(q(tmp)) && mkdir -p \(q(tmp))
        base64 -d <<'STACKCTL_EOF' | tar -xzf - -C \(q(tmp)) || { echo '@fail unpacking the release'; exit 1; }
        \(data)
        STACKCTL_EOF
        if [ ! -f \(q(venv + "/.stackctl-ready")) ]; then
          rm -rf \(q(venv))
          run 'create the virtualenv' \(line([pool.baseInterpreter, "-m", "venv", venv]))
          if [ -f \(q(tmp + "/requirements.txt")) ]; then
            run 'pip install -r requirements.txt' \(line(pip + ["-r", tmp + "/requirements.txt"]))
          else
            run 'pip install flup' \(line(pip))
          fi
          run 'check flup' \(line([venv + "/bin/python", "-c", "import flup.server.fcgi, flup.server.fcgi_fork"]))
          touch \(q(venv + "/.stackctl-ready"))
        fi
        ln -sfn \(q("../../venvs/" + release.requirementsHash)) \(q(tmp + "/venv"))
        touch \(q(tmp + "/.stackctl-ready"))
        rm -rf \(q(dir)) && mv \(q(tmp)) \(q(dir))
        echo \(q("@prepared " + release.id))

        """
    }

    /// Points `current` at release `id` (atomically: a new link renamed over the old one), records
    /// the release it replaces, and restarts the pool's workers on the host.
    /// `previous`: nil records the release being replaced; `.some(x)` writes x instead (a switch
    /// back after a failed gate restores the record the host had, nil removing it).
    public static func switchRelease(_ pool: Pool, to id: String, _ plan: HostPlan, restart: Bool = true, previous: String?? = nil) -> String {
        let t = plan.topology, root = t.poolDirectory(pool.name), current = t.currentLink(pool.name)
        let programs = plan.programs.filter { $0.pool == pool.name }.map { ServiceControl.name($0, plan) }
        var s = prelude + """
        [ -f \(q(t.releasesDirectory(pool.name) + "/" + id + "/.stackctl-ready")) ] || { echo \(q("@fail release " + id + " is not prepared on this host")); exit 1; }
        old=$(basename "$(readlink \(q(current)) 2>/dev/null)" 2>/dev/null)
        if [ "$old" != \(q(id)) ]; then
          \(previousLine(previous, root))
          ln -sfn \(q("releases/" + id)) \(q(current + ".new")) && mv -T \(q(current + ".new")) \(q(current))
          touch \(q(t.releasesDirectory(pool.name) + "/" + id))
        fi
        echo "@switched $old \(id)"

        """
        if restart && !programs.isEmpty {
            for argv in ServiceControl.argv(.restart(programs), plan) { s += "run \(q("restart " + pool.name)) \(line(argv))\n" }
        }
        return s
    }

    static func previousLine(_ previous: String??, _ root: String) -> String {
        let file = q(root + "/previous")
        switch previous {
        case .none: return "[ -n \"$old\" ] && [ \"$old\" != . ] && printf '%s\\n' \"$old\" > \(file)"
        case .some(.none): return "rm -f \(file)"
        case .some(.some(let id)): return "printf '%s\\n' \(q(id)) > \(file)"
        }
    }

    /// The last lines a pool's programs wrote on this host: why workers did not come up.
    public static func lastLogLines(_ pool: Pool, _ plan: HostPlan) -> String {
        var s = ""
        for p in plan.programs where p.pool == pool.name {
            switch plan.host.processManager {
            case .supervisord: s += "tail -n 1 \(q(plan.topology.logDirectory + "/" + p.name + ".log")) 2>/dev/null\n"
            case .systemd: s += "journalctl -u \(q(ServiceControl.name(p, plan))) -n 1 --no-pager -o cat 2>/dev/null\n"
            }
        }
        return s + "exit 0\n"
    }

    /// Waits until no connection to the pool's workers on this host is open (the middle tier no
    /// longer sends it requests, in-flight ones have finished), at most `timeout` seconds.
    public static func waitDrained(_ pool: Pool, _ plan: HostPlan, timeout: Double) -> String {
        let workers = plan.topology.workers(on: plan.host.name).filter { $0.pool == pool.name }
        var ports: [String] = [], sockets: [String] = []
        for w in workers {
            switch w.endpoint {
            case .tcp(_, let port): ports.append("sport = :\(port)")
            case .unix(let path): sockets.append(path)
            }
        }
        let tcp = ports.isEmpty ? "0" : "$(ss -Htn state established \(q("( " + ports.joined(separator: " or ") + " )")) | wc -l)"
        let unix = sockets.isEmpty ? "0" : "$(ss -Hx state established | grep -cF -e \(sockets.map(q).joined(separator: " -e ")))"
        let ticks = Int(timeout * 10)
        return prelude + """
        sleep 0.2
        i=0
        while :; do
          open=$(( \(tcp) + \(unix) ))
          [ "$open" -eq 0 ] && { echo "@drained $i"; exit 0; }
          i=$((i+1)); [ $i -ge \(ticks) ] && { echo "@drain-timeout $open"; exit 0; }
          sleep 0.1
        done

        """
    }

    /// Removes all but the newest `keep` releases (never `current` or `previous`) and virtualenvs
    /// no release uses any more.
    public static func prune(_ pool: Pool, _ plan: HostPlan) -> String {
        let t = plan.topology, root = t.poolDirectory(pool.name)
        return prelude + """
        cd \(q(t.releasesDirectory(pool.name))) 2>/dev/null || exit 0
        cur=$(basename "$(readlink ../current)"); prev=$(cat ../previous 2>/dev/null)
        n=0
        for r in $(ls -1t); do
          case "$r" in *.tmp) continue ;; esac
          n=$((n+1))
          if [ $n -gt \(pool.keepReleases) ] && [ "$r" != "$cur" ] && [ "$r" != "$prev" ]; then rm -rf "$r"; echo "@pruned $r"; fi
        done
        for v in \(q(root + "/venvs"))/*; do
          [ -d "$v" ] || continue
          used=0; for r in */venv; do [ "$(readlink "$r")" = "../../venvs/$(basename "$v")" ] && used=1; done
          [ $used -eq 0 ] && rm -rf "$v" && echo "@pruned venv $(basename "$v")"
        done
        exit 0

        """
    }
}
