import ArgumentParser
import StackKit

extension ExitCode {
    /// Every exit of the tool goes through StackKit's one table of statuses.
    init(_ status: ExitStatus) { self.init(status.rawValue) }
}
