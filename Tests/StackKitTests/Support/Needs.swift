import Foundation
import Testing

/// What a test against real servers needs. Where it is missing the test is skipped, saying
/// why, never passed; scripts/test, which installs everything, fails on any skipped test.
extension Trait where Self == ConditionTrait {
    /// Root, a python with flup (STACKCTL_TEST_PYTHON), apache2, lighttpd, nginx and curl.
    static var needsLiveStack: Self {
        .enabled(if: LiveStackTests.prerequisites() == nil, Comment(rawValue: LiveStackTests.prerequisites() ?? ""))
    }

    /// These programs, found where Debian installs them.
    static func needs(_ tools: String...) -> Self {
        let missing = tools.filter { Run.which($0) == nil }
        return .enabled(if: missing.isEmpty, Comment(rawValue: "not installed: \(missing.joined(separator: ", ")); scripts/install-deps installs them"))
    }

    /// A python with flup 1.0.3, as scripts/test sets STACKCTL_TEST_PYTHON.
    static var needsTestPython: Self {
        let python = ProcessInfo.processInfo.environment["STACKCTL_TEST_PYTHON"]
        return .enabled(if: python.map(FileManager.default.isExecutableFile(atPath:)) ?? false,
                        "STACKCTL_TEST_PYTHON (a python with flup) is not set; scripts/test sets it")
    }

    /// Debian's python3-jsonschema, to check manifests against the published schema.
    static var needsJSONSchema: Self {
        .enabled(if: SchemaValidator.available, "python3-jsonschema is missing; scripts/install-deps installs it")
    }
}
