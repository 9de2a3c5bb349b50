import Foundation

/// One line of a host's history (`BASE/history.jsonl`): a run that changed the host.
public struct HistoryEntry: Sendable, JSONLine, Equatable {
    /// The run's id (its lock token): the same on every host the run changed.
    public var run: String
    public var time: String
    public var host: String
    public var `operator`: String
    public var command: String
    /// The destination the run was given (`-d NAME`), if any.
    public var destination: String?
    /// `ok`, `failed` or `interrupted`.
    public var outcome: String
    public var exitCode: Int32
    public var failure: String?
    /// Pool to the release this run switched this host to.
    public var releases: [String: String]
    public var files: [String]
    public var started: [String]
    public var restarted: [String]
    public var reloaded: [String]
    public var stopped: [String]

    enum CodingKeys: String, CodingKey {
        case run, time, host, `operator`, command, destination, outcome, exitCode = "exit_code", failure, releases, files, started, restarted, reloaded, stopped
    }

    public init(run: String, time: String, host: DeployReport.HostReport, operator: String, command: String, report: DeployReport,
                destination: String? = nil) {
        self.destination = destination
        self.run = run
        self.time = time
        self.host = host.host
        self.operator = `operator`
        self.command = command
        let cut = [ExitStatus.interrupted, .terminated].contains(report.exitCode)
        outcome = report.ok ? (report.paused != nil ? "paused" : report.warning == nil ? "ok" : "degraded") : cut ? "interrupted" : "failed"
        exitCode = report.exitCode.rawValue
        failure = report.failure ?? report.warning
        releases = host.releases
        files = host.uploaded
        started = host.started
        restarted = host.restarted
        reloaded = host.reloaded
        stopped = host.stopped
    }

    public var line: String { jsonLine }

    /// Every host's lines merged into runs (a run changes several hosts), oldest first: the last `count`.
    /// Runs are ordered by time (to the millisecond; older lines have whole seconds), and runs of the
    /// same instant by each host's own order: a host appends its lines as its runs end.
    public static func merge(_ perHost: [[HistoryEntry]], last count: Int) -> [HistoryRun] {
        var runs: [String: HistoryRun] = [:], age: [String: Int] = [:]
        for lines in perHost {
            for (i, e) in lines.enumerated() {
                runs[e.run, default: HistoryRun(run: e.run, time: e.time, operator: e.operator, command: e.command, destination: e.destination,
                                                 outcome: e.outcome, exitCode: e.exitCode, failure: e.failure, hosts: [])].hosts.append(e)
                // Lines from this host's newest: 0 is its last run.
                age[e.run] = min(age[e.run] ?? .max, lines.count - 1 - i)
            }
        }
        let sorted = runs.values.map { r in
            var r = r
            r.hosts.sort { $0.host < $1.host }
            return r
        }.sorted { a, b in
            let (ta, tb) = (sortable(a.time), sortable(b.time))
            if ta != tb { return ta < tb }
            if age[a.run]! != age[b.run]! { return age[a.run]! > age[b.run]! }
            return a.run < b.run
        }
        return Array(sorted.suffix(count))
    }

    /// A run's time, to the millisecond, for its line.
    public static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// `…:SSZ` (lines written before milliseconds) as `…:SS.000Z`, so that both compare as text.
    static func sortable(_ time: String) -> String {
        guard time.hasSuffix("Z"), !time.contains(".") else { return time }
        return String(time.dropLast()) + ".000Z"
    }
}

/// One run as the history tells it: what it did on each host it changed.
public struct HistoryRun: Sendable, Codable, Equatable {
    public var run: String
    public var time: String
    public var `operator`: String
    public var command: String
    public var destination: String?
    public var outcome: String
    public var exitCode: Int32
    public var failure: String?
    public var hosts: [HistoryEntry]

    enum CodingKeys: String, CodingKey { case run, time, `operator`, command, destination, outcome, exitCode = "exit_code", failure, hosts }
}
