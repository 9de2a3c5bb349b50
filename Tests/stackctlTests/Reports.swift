import Foundation
import StackKit
import StackKitTesting

/// What stackctl prints with `--json`, read back as the public types it encodes, so a test
/// reads `report.ok` and `host.reloaded`, never a dictionary's guessed key. Output that is not
/// a report (a crash, a usage error) reads as a failed run that shows the output.
enum Reports {
    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    static func deploy(_ text: String) -> DeployReport {
        if let report = decode(DeployReport.self, text) { return report }
        var failed = DeployReport(stack: "", command: "", hosts: [])
        failed.ok = false
        failed.failure = "not a report: \(text.prefix(400))"
        return failed
    }

    static func status(_ text: String) -> StatusReport {
        if let report = decode(StatusReport.self, text) { return report }
        let empty = #"{"stack": "", "state": "down", "exit_code": 5, "seconds": 0, "hosts": [], "tiers": []}"#
        return decode(StatusReport.self, empty)!
    }
}

extension DeployReport {
    /// Each host's part, by its name.
    var byHost: [String: HostReport] { Dictionary(uniqueKeysWithValues: hosts.map { ($0.host, $0) }) }
}

extension StatusReport {
    var instances: [Instance] { tiers.flatMap(\.instances) }

    func instance(host: String, name: String) -> Instance? { instances.first { $0.host == host && $0.name == name } }

    func host(_ name: String) -> HostEntry? { hosts.first { $0.host == name } }
}

/// A manifest's text with `edit` applied as YAML (`YAMLEdit`): a key path that is not there
/// fails the test rather than leaving the manifest as it was.
func editYAML(_ text: String, _ edit: (inout YAMLEdit) throws -> Void) throws -> String {
    var doc = try YAMLEdit(text)
    try edit(&doc)
    return doc.text
}
