import Testing
@testable import StackKit
import StackKitTesting

/// `restart` with scripted hosts: pools drained host by host, servers restarted in place, a
/// failed gate stops it with the host left drained.
@Suite struct RestartTests {
    typealias Respond = ConvergeTests.Respond

    @Test func aPoolRestartsHostByHostDrainedAndPutBack() async {
        let (deployer, fakes) = ConvergeTests.deployer([:])
        let report = await deployer.restart(.pool("main"))
        #expect(report.ok, "\(report.failure ?? "")")
        for host in ["app1", "app2"] {
            #expect(fakes[host]!.phases == [.inspect, .drainWait, .activate, .probe], "\(host)")
            let script = String(decoding: fakes[host]!.commands[2].stdin, as: UTF8.self)
            #expect(script.contains("systemctl restart --no-block shop-main@0.service shop-main@1.service"))
            #expect(report.hosts.first { $0.host == host }?.restarted == ["shop-main@0.service", "shop-main@1.service"])
        }
        #expect(fakes["web"]!.phases == [.inspect, .reloadMiddle, .reloadMiddle, .reloadMiddle, .reloadMiddle], "drained and put back, per host")
        #expect(fakes["edge"]!.phases == [.inspect])
    }

    @Test func aServerRestartsInPlaceAndIsGated() async {
        let (deployer, fakes) = ConvergeTests.deployer([:])
        let report = await deployer.restart(.front)
        #expect(report.ok)
        #expect(fakes["edge"]!.phases == [.inspect, .activate, .probe])
        #expect(String(decoding: fakes["edge"]!.commands[1].stdin, as: UTF8.self).contains("systemctl restart --no-block shop-front.service"))
        #expect(fakes["web"]!.phases == [.inspect])
    }

    @Test func everythingRestartsBottomUpWhenNothingIsNamed() async {
        let (deployer, fakes) = ConvergeTests.deployer([:])
        let report = await deployer.restart(nil)
        #expect(report.ok)
        let web = String(decoding: fakes["web"]!.commands.filter { $0.phase == .activate }.map(\.stdin).joined(), as: UTF8.self)
        let admin = web.range(of: "shop-admin:shop-admin-0")!.lowerBound, middle = web.range(of: "shop-middle")!.lowerBound
        #expect(admin < middle, "workers before the middle")
        #expect(fakes["edge"]!.phases.last == .probe)
    }

    @Test func aBatchThatFailsItsGateStopsTheRestartAndStaysDrained() async {
        let sick = ConvergeTests.host("app1", sick: { true }, state: "failed/failed")
        let (deployer, fakes) = ConvergeTests.deployer(["app1": sick])
        let report = await deployer.restart(.pool("main"))
        #expect(report.exitCode == .unhealthy)
        #expect(report.failure?.hasPrefix("app1: workers unhealthy: pool main instance 0") == true)
        #expect(fakes["web"]!.phases == [.inspect, .reloadMiddle], "drained, not put back")
        #expect(fakes["app2"]!.phases == [.inspect], "the next host is never touched")
    }

    @Test func targetsAreAPoolOrATier() throws {
        let m = ConvergeTests.manifest
        #expect(ProgramScope.named("admin", in: m) == .pool("admin"))
        #expect(ProgramScope.named("middle", in: m) == .middle)
        #expect(ProgramScope.named("front", in: m) == .front)
        #expect(ProgramScope.named("nope", in: m) == nil)
    }
}
