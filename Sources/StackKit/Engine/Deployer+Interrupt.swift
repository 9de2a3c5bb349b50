import Foundation

extension Deployer {
    /// At a safe point: whether a signal asked the run to stop. If so the report fails with the
    /// signal's status (130 for SIGINT, 143 for SIGTERM), saying where the run stopped.
    func stopRequested(_ report: inout DeployReport, _ point: String) -> Bool {
        guard let signal = interruption() else { return false }
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        emit(.failed, nil, "\(name): stopping \(point)")
        report.fail(signal == SIGTERM ? .terminated : .interrupted, "stopped by \(name) \(point)")
        return true
    }

    /// Removes what staging left beside live files on these hosts (files already committed
    /// are not there any more: `rm -f` passes over them).
    func removeStaged(_ inspected: [Inspected], _ report: inout DeployReport) async {
        let staged = inspected.filter { !$0.changes.files.isEmpty }
        guard !staged.isEmpty else { return }
        _ = await phase(staged, &report) { Scripts.cleanup($0.changes) }
        emit(.done, nil, "staged files removed on \(staged.map(\.hostName).joined(separator: ", "))")
    }
}
