import ArgumentParser

/// `--batch N` and `--hosts a,b`: how a rolling command moves through hosts (rollout, restart).
struct BatchOptions: ParsableArguments {
    @Option(help: "Hosts per batch (at most all hosts but one of a pool that runs on several).")
    var batch = 1

    @Option(help: "Only these hosts (comma-separated).", transform: { $0.split(separator: ",").map(String.init) })
    var hosts: [String]?

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }
}
