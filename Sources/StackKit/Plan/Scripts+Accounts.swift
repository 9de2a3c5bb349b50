extension Scripts {
    /// The pools' own accounts on this host (`STACK-POOL`, a system group and a system user with
    /// no home and no login shell), made before any directory or file is given to them. Another
    /// useradd holding /etc/passwd's lock is waited out (lab hosts share one /etc).
    static func accounts(_ plan: HostPlan) -> ShellCode {
        let pools = plan.topology.manifest.pools.filter { $0.hosts.contains(plan.host.name) && ($0.ownUser || $0.ownGroup) }
        guard !pools.isEmpty else { return "" }
        let functions: ShellCode = """
        account() {
          kind=$1; name=$2; shift 2
          getent "$kind" "$name" >/dev/null && return 0
          n=0
          until out=$("$@" 2>&1); do
            getent "$kind" "$name" >/dev/null && return 0
            n=$((n + 1))
            if [ $n -ge 100 ]; then \(ShellCode.emit(.fail, #""account $name""#)); show "$out"; exit 1; fi
            sleep 0.1
          done
          \(ShellCode.emit(.ok, #""made $kind $name""#))
        }

        """
        var s = functions.definitions
        var made = Set<String>()
        for pool in pools {
            if pool.ownGroup, made.insert("group " + pool.group).inserted {
                s += ("account group \([pool.group, "groupadd", "--system", pool.group])\n" as ShellCode).printing(.ok, .fail)
            }
            if pool.ownUser, made.insert("user " + pool.user).inserted {
                let argv = ["useradd", "--system", "--gid", pool.group, "--no-create-home", "--home-dir", "/nonexistent",
                            "--shell", "/usr/sbin/nologin", "--comment", "stackctl \(plan.topology.manifest.name) pool \(pool.name)", pool.user]
                s += ("account passwd \([pool.user] + argv)\n" as ShellCode).printing(.ok, .fail)
            }
        }
        return s
    }
}
