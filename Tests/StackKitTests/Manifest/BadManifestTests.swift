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
