/// Talks to a stack's supervisord over its XML-RPC socket, with supervisord's own Python.
/// Unlike `supervisorctl start`, it does not wait `startsecs` for each program in turn: the
/// tier's health gate is what decides that a program is ready.
public enum SupervisorControl {
    public static func argv(_ plan: HostPlan, _ args: [String]) -> [String] {
        // The standard library alone (no site packages): quicker to start, on every inspect.
        [plan.platform.supervisorPython, "-I", "-S", "-c", script, plan.topology.supervisorSocketPath] + args
    }

    /// `Python/supervisor_control.py`, embedded in the binary; run with `python3 -c`.
    public static let script = String(decoding: PackageResources.supervisor_control_py, as: UTF8.self)
}
