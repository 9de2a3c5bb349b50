/// `stackctl logs`: the last lines of the stack's logs on every host in scope, or with `follow`
/// every new line as it is written, each with its host and source.
public struct StackLogs: Sendable {
    public struct Line: Sendable, Equatable, JSONLine {
        public var host: String
        public var source: String
        public var text: String

        enum CodingKeys: String, CodingKey { case host, source, text = "line" }
    }

    /// A host with the logs to read there.
    public typealias Work = (host: String, sources: [Scripts.LogSource])

    public let manifest: Manifest
    public let connections: Connections
    public var platform = Platform()

    public init(manifest: Manifest, connections: Connections) {
        self.manifest = manifest
        self.connections = connections
    }

    /// Hosts in manifest order that have something in scope, with their log sources.
    public func sources(_ scope: ProgramScope?, hosts only: [String]?) -> [Work] {
        HostPlan.all(manifest, platform: platform).compactMap { plan in
            guard only?.contains(plan.host.name) ?? true else { return nil }
            let sources = Scripts.logSources(plan, tier: scope?.tier, pool: scope?.pool)
            return sources.isEmpty ? nil : (plan.host.name, sources)
        }
    }

    /// Reads every host in parallel; without `follow`, each host's lines come together, hosts in
    /// manifest order. Returns the hosts that could not be read, with why.
    public func read(_ work: [Work], lines: Int, follow: Bool,
                     _ emit: @escaping @Sendable (Line) -> Void) async -> [(host: String, error: TransportError)] {
        let transports = connections.transports
        let results = await withTaskGroup(of: (Int, [Line], TransportError?).self) { group in
            for (k, w) in work.enumerated() {
                group.addTask {
                    let command = Scripts.logs(w.sources, lines: lines, follow: follow)
                    var collected: [Line] = []
                    do throws(TransportError) {
                        if follow {
                            _ = try await transports[w.host]!.follow(command) { emit(Self.line(w.host, $0)) }
                        } else {
                            let out = try await transports[w.host]!.run(command)
                            collected = out.stdoutText.split(separator: "\n").map { Self.line(w.host, String($0)) }
                        }
                        return (k, collected, nil)
                    } catch {
                        return (k, collected, error)
                    }
                }
            }
            var all: [(Int, [Line], TransportError?)] = []
            for await r in group { all.append(r) }
            return all.sorted { $0.0 < $1.0 }
        }
        for (_, lines, _) in results { lines.forEach(emit) }
        return results.compactMap { k, _, error in error.map { (work[k].host, $0) } }
    }

    static func line(_ host: String, _ text: String) -> Line {
        let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        return Line(host: host, source: String(parts[0]), text: parts.count > 1 ? String(parts[1]) : "")
    }
}
