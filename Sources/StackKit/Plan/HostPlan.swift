import Crypto

public struct PlannedFile: Sendable, Equatable {
    public var file: RenderedFile
    public var sha256: String

    public var role: FileRole { file.role }

    public var path: String { file.path }
    /// The new file waits here, in the same directory, until it is validated and committed.
    public var stagedPath: String { Self.staged(path) }

    public static func staged(_ path: String) -> String {
        let slash = path.lastIndex(of: "/")!
        return String(path[...slash]) + "." + path[path.index(after: slash)...] + ".stackctl-new"
    }
    public var ownership: String { "\(String(file.mode, radix: 8)):\(file.owner):\(file.group)" }
}

/// Everything stackctl wants on one host, as data.
public struct HostPlan: Sendable {
    public var host: Host
    public var files: [PlannedFile]
    public var directories: [DirectorySpec]
    public var programs: [Program]
    public var topology: Topology
    public var platform: Platform

    public init(_ rendered: HostRender, topology: Topology, platform: Platform = Platform()) {
        host = rendered.host
        self.topology = topology
        self.platform = platform
        directories = rendered.directories
        programs = Programs.on(rendered.host, topology, platform)
        files = rendered.files.map { file in
            PlannedFile(file: file, sha256: Self.sha256(file.contents))
        }
    }

    /// The plan of every host that runs part of the stack, in manifest order.
    public static func all(_ manifest: Manifest, platform: Platform = Platform()) -> [HostPlan] {
        let renderer = StackRenderer(manifest, platform: platform)
        return renderer.renderAll().map { HostPlan($0, topology: renderer.topology, platform: platform) }
    }

    public static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The tiers this host runs, bottom-up.
    public var tiers: [Tier] {
        Tier.allCases.filter { tier in programs.contains { $0.tier == tier } }
    }

    /// Whether this host serves the static files and routes: a middle host, or without a
    /// middle tier a front host.
    public var routes: Bool { tiers.contains(topology.routerTier) }

    public func programs(of tier: Tier) -> [Program] { programs.filter { $0.tier == tier } }
}
