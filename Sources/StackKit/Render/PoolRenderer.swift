import Foundation

/// A pool's files on one worker host: the launcher and its pool.json. Every manifest value
/// reaches the worker as JSON data, never as code, so nothing in it can run.
struct PoolRenderer {
    let topology: Topology
    let host: Host
    let pool: Pool

    struct Config: Codable {
        struct Instance: Codable {
            var unix: String?
            var host: String?
            var port: Int?
        }
        struct Server: Codable {
            var kind: String
            var min_spare: Int
            var max_spare: Int
            var max_threads: Int?
            var max_children: Int?
            var max_requests: Int?
        }
        var stack: String
        var pool: String
        /// `scgi`, or nil for FastCGI (left out, so a pool.json written before SCGI stays the same).
        var `protocol`: String?
        var host: String
        var directory: String
        var entry: [String: String]
        var environment: [[String]]
        var server: Server
        var socket_group: String
        var stop_grace: Int
        var instances: [Instance]
    }

    func files() -> [RenderedFile] {
        // A sourced pool's interpreter comes with its release, which `prepare` checks for flup.
        let check: FileCheck = pool.source == nil
            ? .python(interpreter: pool.python, imports: pool.gateway == .scgi ? ["flup.server.scgi", "flup.server.scgi_fork"]
                : ["flup.server.fcgi", "flup.server.fcgi_fork"])
            : .python(interpreter: pool.baseInterpreter, imports: [])
        return [
            RenderedFile(path: topology.launcherPath(pool.name), contents: launcher(), role: .workers(pool: pool.name), check: check, mode: 0o755),
            // Environment values may be secrets: the pool's own user and group only, read-only.
            RenderedFile(path: topology.poolConfigPath(pool.name), contents: config(), role: .workers(pool: pool.name), check: .none,
                         mode: 0o440, owner: pool.user, group: pool.group),
        ]
    }

    func launcher() -> String {
        "#!\(pool.python)\n" + Dialect.header("#", stack: topology.manifest.name, host: host.name) + LauncherScript.source
    }

    func config() -> String {
        let entry: [String: String] = switch pool.entry {
        case .callable(let module, let attribute): ["module": module, "callable": attribute]
        case .paste(let path, let name): ["paste": path, "name": name]
        }
        let server: Config.Server = switch pool.server {
        case .threaded(let minSpare, let maxSpare, let maxThreads):
            .init(kind: "threaded", min_spare: minSpare, max_spare: maxSpare, max_threads: maxThreads)
        case .prefork(let minSpare, let maxSpare, let maxChildren, let maxRequests):
            .init(kind: "prefork", min_spare: minSpare, max_spare: maxSpare, max_children: maxChildren, max_requests: maxRequests)
        }
        let instances = topology.workers(of: pool, on: host.name).map { worker -> Config.Instance in
            switch worker.endpoint {
            case .unix(let path): Config.Instance(unix: path)
            case .tcp(let address, let port): Config.Instance(host: address, port: port)
            }
        }
        let config = Config(stack: topology.manifest.name, pool: pool.name, protocol: pool.gateway == .scgi ? "scgi" : nil, host: host.name,
            directory: pool.directory,
                            entry: entry, environment: pool.environment.map { [$0.0, $0.1] }, server: server,
                            socket_group: topology.routerGroup, stop_grace: 10, instances: instances)
        return Self.encode(config)
    }

    static func encode(_ config: Config) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(config)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A pool.json as found on a host, fit to show: every environment value that is not one of
    /// the manifest's plain values is masked (it may be a secret, even one the manifest has
    /// since dropped). Nil when the file is not a pool.json stackctl wrote.
    static func masked(_ text: String, plain: [(String, String)]) -> String? {
        guard var config = try? JSONDecoder().decode(Config.self, from: Data(text.utf8)) else { return nil }
        config.environment = config.environment.map { pair in
            guard pair.count == 2, !plain.contains(where: { $0.0 == pair[0] && $0.1 == pair[1] }) else { return pair }
            return [pair[0], "[not shown]"]
        }
        return encode(config)
    }
}
