/// One transport per host: local execution for `local: true`, OpenSSH otherwise.
public struct Connections: Sendable {
    public let transports: [String: any Transport]
    let control: ControlDirectory?

    public init(hosts: [Host], sshConfig: String?, connectTimeout: Int) throws {
        let needsSSH = hosts.contains { !$0.local }
        control = needsSSH ? try ControlDirectory() : nil
        var transports: [String: any Transport] = [:]
        for host in hosts {
            if host.local {
                transports[host.name] = LocalTransport(hostName: host.name)
            } else {
                let options = SSHOptions(configFile: sshConfig, connectTimeout: connectTimeout, controlDirectory: control!.path)
                transports[host.name] = OpenSSHTransport(host: host, options: options)
            }
        }
        self.transports = transports
    }

    public init(transports: [String: any Transport]) {
        self.transports = transports
        control = nil
    }

    /// Closes every master connection and removes the control directory.
    public func close() async {
        await withTaskGroup(of: Void.self) { group in
            for t in transports.values { group.addTask { await t.shutdown() } }
        }
        control?.remove()
    }
}
