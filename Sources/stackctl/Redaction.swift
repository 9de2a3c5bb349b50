import Foundation
import StackKit
import Synchronization

/// The one door every line stackctl writes to the terminal goes through: once a manifest is
/// loaded, its secrets are replaced by `[secret POOL.KEY]` in whatever is printed (this
/// module's `print` shadows the standard one).
enum Redaction {
    static let current = Mutex(Redactor())

    static func install(_ redactor: Redactor) { current.withLock { $0 = redactor } }

    static func apply(_ text: String) -> String { current.withLock { $0(text) } }
}

func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    FileHandle.standardOutput.write(Data(Redaction.apply(text).utf8))
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((Redaction.apply(text) + "\n").utf8))
}

/// Raw output (a live status frame, a followed log line), redacted like the rest.
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(Redaction.apply(text).utf8))
}
