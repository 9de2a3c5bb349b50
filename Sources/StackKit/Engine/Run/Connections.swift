/// One transport per host: local execution for `local: true`, OpenSSH otherwise.
public struct Connections: Sendable {
    public let transports: [String: any Transport]
    let control: ControlDirectory?

    /// `persist` > 0 keeps each host's master connection that many idle seconds after the run,
    /// in the user's shared control directory, for the next run to use.
    public init(hosts: [Host], sshConfig: String?, connectTimeout: Int, persist: Int = 0) throws {
        let needsSSH = hosts.contains { !$0.local }
        let shared = needsSSH && persist > 0 ? ControlDirectory.shared() : nil
        control = needsSSH && shared == nil ? try ControlDirectory() : nil
        let directory = shared ?? control?.path ?? ""
        var transports: [String: any Transport] = [:]
        for host in hosts {
            if host.local {
                transports[host.name] = LocalTransport(hostName: host.name)
            } else {
                let options = SSHOptions(configFile: sshConfig, connectTimeout: connectTimeout, controlDirectory: directory,
                    persist: shared == nil ? 0 : persist)
                transports[host.name] = OpenSSHTransport(host: host, options: options)
            }
        }
        self.transports = transports
    }

    public init(transports: [String: any Transport]) {
        self.init(transports: transports, control: nil)
    }

    init(transports: [String: any Transport], control: ControlDirectory?) {
        self.transports = transports
        self.control = control
    }

    /// Closes every master connection and removes the control directory.
    public func close() async {
        await withTaskGroup(of: Void.self) { group in
            for t in transports.values { group.addTask { await t.shutdown() } }
        }
        control?.remove()
    }
}
