import Foundation
import Testing

/// What an end-to-end test needs. Where it is missing the test is skipped, saying why, never
/// passed; scripts/test, which starts the lab and installs everything, fails on any skipped test.
extension Trait where Self == ConditionTrait {
    /// The lab's hosts (scripts/lab), as scripts/test starts them and sets STACKCTL_LAB.
    static var needsLab: Self {
        .enabled(if: Lab.LabE2ETests.lab != nil, "the lab is not up (STACKCTL_LAB is not set); scripts/test starts it")
    }

    /// A scratch PREFIX that `scripts/install` filled, as scripts/test sets STACKCTL_INSTALLED.
    static var needsInstall: Self {
        .enabled(if: CLITests.env["STACKCTL_INSTALLED"] != nil, "STACKCTL_INSTALLED is not set; scripts/test installs into a scratch PREFIX")
    }

    /// A shell at /usr/bin, for its completion.
    static func needsShell(_ name: String) -> Self {
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/\(name)"), Comment(rawValue: "\(name) is missing; scripts/install-deps installs it"))
    }
}
