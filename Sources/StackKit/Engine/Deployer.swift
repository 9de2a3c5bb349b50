/// `up` and `down`: inspect every host, stage and validate what changed, then bring the tiers
/// up bottom-up (workers, middle, front), each health-checked before the next. Hosts of one
/// phase work in parallel; every host's outcome is collected before the policy is applied, so
/// one host's failure never hides another's.
public struct Deployer<C: Clock>: Sendable where C.Duration == Duration {
    public let manifest: Manifest
    public let connections: Connections
    public var parallel: Int
    public let clock: C
    public var platform = Platform()
    public let events: @Sendable (DeployEvent) -> Void

    public init(manifest: Manifest, connections: Connections, parallel: Int = 8, clock: C, events: @escaping @Sendable (DeployEvent) -> Void = { _ in }) {
        self.manifest = manifest
        self.connections = connections
        self.parallel = parallel
        self.clock = clock
        self.events = events
    }

    var topology: Topology { Topology(manifest) }

    func plans() -> [HostPlan] { HostPlan.all(manifest, platform: platform) }

    func transport(_ host: String) -> any Transport { connections.transports[host]! }

    /// Runs one command on a host; the outcome is a value for the parent to judge.
    func attempt(_ host: String, _ command: RemoteCommand) async -> Result<CommandOutput, TransportError> {
        do throws(TransportError) {
            return .success(try await transport(host).run(command))
        } catch {
            return .failure(error)
        }
    }

    func emit(_ kind: DeployEvent.Kind, _ host: String?, _ text: String) { events(DeployEvent(kind: kind, host: host, text: text)) }

    /// The output of a host script that succeeded. Otherwise records why on the host's report,
    /// says it, and returns nil; the caller applies its policy.
    func succeeded(_ host: String, _ outcome: Result<CommandOutput, TransportError>, _ report: inout DeployReport) -> CommandOutput? {
        let message: String
        switch outcome {
        case .success(let out) where out.status == 0:
            return out
        case .success(let out):
            message = Markers(out.stdoutText).failureText(fallback: out.stderrText)
        case .failure(let error):
            message = error.reason
            if case .unreachable = error { report.update(host) { $0.reachable = false } }
        }
        report.update(host) { $0.error = message }
        emit(.failed, host, message)
        return nil
    }

    /// 3 when a host became unreachable, else 6: a command failed on a host.
    func failureCode(_ hosts: [String], _ report: DeployReport) -> Int32 {
        report.hosts.contains { hosts.contains($0.host) && !$0.reachable } ? 3 : 6
    }

    struct Inspected: Sendable {
        var plan: HostPlan
        var state: HostState
        var changes: HostChanges
    }

    /// Reads every host's state; the first command to a host opens its one SSH connection.
    func inspect(_ plans: [HostPlan], _ report: inout DeployReport) async -> [Inspected]? {
        emit(.step, nil, "inspecting \(plans.count) host\(plans.count == 1 ? "" : "s")")
        let outcomes = await FanOut.map(plans, limit: parallel) { plan in
            await self.attempt(plan.host.name, .script(Scripts.inspect(plan), timeout: .seconds(60))).map { out in
                let state = HostState.parse(out.stdoutText)
                return Inspected(plan: plan, state: state, changes: HostChanges(plan: plan, state: state))
            }
        }
        var inspected: [Inspected] = [], unreachable: [String] = []
        for (plan, outcome) in zip(plans, outcomes) {
            switch outcome {
            case .success(let i):
                inspected.append(i)
                emit(.done, plan.host.name, i.changes.isEmpty ? "in sync" : "\(i.changes.files.count) file(s) to update")
            case .failure(let error):
                unreachable.append(plan.host.name)
                report.update(plan.host.name) { $0.reachable = false; $0.error = error.reason }
                emit(.failed, plan.host.name, error.reason)
            }
        }
        if !unreachable.isEmpty {
            report.fail(3, "unreachable: \(unreachable.joined(separator: ", ")); nothing was changed")
            return nil
        }
        return inspected
    }
}
