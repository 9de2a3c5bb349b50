import ArgumentParser

/// How a command that takes the stack's deploy lock meets another run holding it.
struct LockOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Wait up to this many seconds for another run's lock to go, showing who holds it, instead of exiting 10.",
        valueName: "seconds"))
    var lockWait: Int?

    func validate() throws {
        if let lockWait, !(1...86400).contains(lockWait) { throw ValidationError("--lock-wait must be 1 to 86400 seconds") }
    }

    var duration: Duration? { lockWait.map { .seconds($0) } }
}
