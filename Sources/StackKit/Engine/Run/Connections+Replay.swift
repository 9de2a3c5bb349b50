/// Recording a run's replies, and answering a fleet from a recording (`ReplayTransport`).
extension Connections {
    /// Every transport wrapped so that its replies are kept, for `recording(of:)`.
    public func recording() -> Connections {
        Connections(transports: transports.mapValues { RecordingTransport($0) }, control: control)
    }

    /// What each host replied in this run, with its tiers and rendered files; hosts this
    /// connection set did not record are left out.
    public func recording(of manifest: Manifest) -> Recording {
        Recording(hosts: HostPlan.all(manifest).compactMap { plan in
            guard let t = transports[plan.host.name] as? RecordingTransport else { return nil }
            return Recording.RecordedHost(name: plan.host.name, address: plan.host.address, tiers: plan.tiers.map(\.rawValue),
                                          rendered: Self.rendered(plan), replies: t.recorded)
        })
    }

    /// Each host of the manifest answered by the recorded host with the same tiers (round
    /// robin among them). Throws when a host's tiers were never recorded.
    public init(replaying recording: Recording, manifest: Manifest) throws(ReplayError) {
        var transports: [String: any Transport] = [:], seen: [[String]: Int] = [:]
        for plan in HostPlan.all(manifest) {
            let tiers = plan.tiers.map(\.rawValue)
            guard let prototype = recording.prototype(tiers: tiers, index: seen[tiers, default: 0]) else {
                throw .noPrototype(host: plan.host.name, tiers: tiers)
            }
            seen[tiers, default: 0] += 1
            transports[plan.host.name] = ReplayTransport(hostName: plan.host.name, address: plan.host.address,
                                                         rendered: Self.rendered(plan), prototype: prototype)
        }
        self.init(transports: transports)
    }

    static func rendered(_ plan: HostPlan) -> [String: String] {
        Dictionary(plan.files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
    }
}

public enum ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    case noPrototype(host: String, tiers: [String])

    public var description: String {
        switch self {
        case .noPrototype(let host, let tiers):
            "\(host): the recording has no host that runs \(tiers.isEmpty ? "nothing" : tiers.joined(separator: " and ")) to answer for it"
        }
    }
}
