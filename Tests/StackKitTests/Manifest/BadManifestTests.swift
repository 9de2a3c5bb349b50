import Testing
@testable import StackKit

@Suite struct BadManifestTests {
    @Test func theBaseManifestIsValid() {
        #expect(Fixtures.problems(BadManifestCases.valid) == [])
    }

    @Test(arguments: BadManifestCases.all.map { $0.name })
    func eachBadManifestGivesItsExactDiagnostics(name: String) {
        let c = BadManifestCases.all.first { $0.name == name }!
        #expect(Fixtures.problems(c.yaml) == c.expected, "\(name)")
    }
}

@Suite struct HostileManifestTests {
    @Test(arguments: HostileManifestCases.all.map { $0.name })
    func eachHostileManifestGivesItsExactDiagnostics(name: String) {
        let c = HostileManifestCases.all.first { $0.name == name }!
        let got = Fixtures.problems(c.yaml)
        let listing = got.map { "\"\($0)\"," }.joined(separator: "\n")
        #expect(got == c.expected, "\(name):\n\(listing)")
        #expect(!got.isEmpty, "\(name) was accepted")
    }
}
