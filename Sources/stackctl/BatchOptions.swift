import ArgumentParser
import StackKit

extension BatchSize: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension FailLimit: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--batch N|P%` and `--hosts a,b`: how a rolling command moves through hosts (rollout, restart).
struct BatchOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Hosts per batch: a count, or a share of the pool's hosts such as 25% "
                               + "(at least 1; at most all but one of a pool that runs on several); or a list such as 1,25%,100%: "
                               + "each batch its own size in order, the last repeating.", valueName: "n|p%[,...]"))
    var batch: BatchSize?

    @Option(help: "Only these hosts (comma-separated).", completion: Complete.hostList, transform: { $0.split(separator: ",").map(String.init) })
    var hosts: [String]?
}
