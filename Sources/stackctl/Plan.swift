import ArgumentParser
import StackKit

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what 'up' would change on each host (file diffs, programs to start, restart or reload, releases to ship), changing nothing.",
        discussion: ExitStatus.help(ExitStatus.manifest + [.changesPending, .unreachable, .refused, .releaseFailed]))

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await connection.plan(manifest)
    }
}

extension ConnectionOptions {
    /// `plan`, and `up --dry-run`: prints the plan and exits 0 (nothing to do) or 2 (changes).
    func plan(_ manifest: ManifestOptions) async throws {
        let m = try manifest.load()
        let output = Output(json: json)
        let connections = try connections(for: m)
        let report = await Deployer(manifest: m, connections: connections, parallel: parallel, clock: ContinuousClock(), events: output.event).plan()
        await connections.close()
        try output.plan(report)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

extension Output {
    /// `data main/media /srv/stackctl/shop/data/main/media (MEDIA_DIR, 750:shop-main:shop-main): kept`
    func printData(_ h: PlanReport.HostChangesReport) {
        for d in h.data {
            let change = d.change == "kept" ? "kept" : paint(d.change, "33")
            print("  data \(d.pool)/\(d.name) \(d.path) (\(d.variable), \(d.ownership)): \(change)")
        }
    }

    func plan(_ report: PlanReport) throws {
        if json { return try printJSON(report) }
        for h in report.hosts {
            guard h.changes || h.error != nil else {
                print("\(paint(h.host, "1")): no changes")
                printData(h)
                continue
            }
            print("\(paint(h.host, "1")):" + (h.error.map { " " + paint($0, "31") } ?? ""))
            for f in h.files {
                let ownership = f.ownershipBefore.map { $0 == f.ownership ? f.ownership : "\($0) -> \(f.ownership)" } ?? f.ownership
                print("  \(f.change) \(f.path) (\(ownership))")
                for line in f.diff.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                    let code = line.hasPrefix("+++") || line.hasPrefix("---") ? "1" : line.hasPrefix("+") ? "32" : line.hasPrefix("-")
                        ? "31" : line.hasPrefix("@@") ? "36" : ""
                    print("    " + (code.isEmpty ? String(line) : paint(String(line), code)))
                }
            }
            for d in h.directories { print("  directory \(d)") }
            for a in h.actions { print("  \(a)") }
            for r in h.releases { print("  release \(r.pool): \(r.from ?? "none") -> \(r.to)") }
            printData(h)
        }
        let changed = report.hosts.filter(\.changes).count
        if let failure = report.failure {
            print("plan \(paint("FAILED", "31;1")): \(failure)")
        } else {
            print(changed == 0 ? "plan: nothing to do"
                : "plan: \(changed) of \(report.hosts.count) host\(report.hosts.count == 1 ? "" : "s") would change; run 'stackctl up' to apply")
        }
    }
}
