/// `stackctl exec`: a command in a pool's current release, as its user, with its environment.
/// On one host it runs on the operator's terminal; on every host of the pool at once, each
/// line of its output comes back with its host.
public struct PoolExec: Sendable {
    public struct Line: Sendable, Hashable, JSONLine {
        public var host: String
        public var text: String

        enum CodingKeys: String, CodingKey { case host, text = "line" }
    }

    /// One host's end: its command's exit status, or why the host could not run it.
    public typealias Outcome = (host: String, result: Result<Int32, TransportError>)

    public let manifest: Manifest
    public let pool: Pool
    public let connections: Connections

    public init(manifest: Manifest, pool: Pool, connections: Connections) {
        self.manifest = manifest
        self.pool = pool
        self.connections = connections
    }

    func command(_ argv: [String], merge: Bool) -> RemoteCommand {
        Scripts.exec(pool, topology: Topology(manifest), command: argv, merge: merge)
    }

    /// On `host`'s terminal: stackctl's standard input, output and error are the command's.
    public func attach(host: String, command argv: [String], tty: Bool) async throws(TransportError) -> Int32 {
        try await connections.transports[host]!.attach(command(argv, merge: false), tty: tty)
    }

    /// On every host of the pool, `parallel` at a time; standard error is merged into the
    /// lines. Outcomes in the pool's host order.
    public func runAll(command argv: [String], parallel: Int, _ emit: @escaping @Sendable (Line) -> Void) async -> [Outcome] {
        let transports = connections.transports
        let remote = command(argv, merge: true)
        let hosts = pool.hosts
        return await FanOut.map(hosts, limit: parallel) { host -> Result<Int32, TransportError> in
            do throws(TransportError) {
                return .success(try await transports[host]!.follow(remote) { emit(Line(host: host, text: $0)) })
            } catch {
                return .failure(error)
            }
        }.enumerated().map { (hosts[$0.offset], $0.element) }
    }

    /// The exit status of a run on every host: the largest of the commands' (as `pdsh -S`
    /// gives), a host that could not be reached counting as 3 (`ExitStatus.unreachable`).
    public static func status(_ outcomes: [Outcome]) -> Int32 {
        outcomes.map { outcome in
            switch outcome.result {
            case .success(let status): status
            case .failure: ExitStatus.unreachable.rawValue
            }
        }.max() ?? 0
    }
}
