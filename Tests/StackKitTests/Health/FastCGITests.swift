import Testing
@testable import StackKit

@Suite struct FastCGITests {
    @Test func recordsArePaddedToEightBytes() {
        let r = FastCGI.Record(type: .params, requestID: 258, content: [1, 2, 3])
        #expect(r.encoded() == [1, 4, 1, 2, 0, 3, 5, 0, 1, 2, 3, 0, 0, 0, 0, 0])
    }

    @Test func nameValuePairsUseFourByteLengthsAbove127() {
        let long = String(repeating: "v", count: 300)
        let bytes = FastCGI.encodePairs([("A", "b"), ("LONG", long)])
        #expect(Array(bytes.prefix(4)) == [1, 1, 65, 98])
        #expect(Array(bytes[4..<9]) == [4, 0x80, 0, 1, 44])
        let decoded = FastCGI.decodePairs(bytes)
        #expect(decoded?.map(\.0) == ["A", "LONG"] && decoded?.last?.1 == long)
    }

    @Test func aRequestBeginsWithoutKeepConnAndEndsBothStreams() {
        let bytes = FastCGI.request(params: [("REQUEST_METHOD", "GET")])
        let (records, complete) = FastCGI.decodeRecords(bytes)
        #expect(complete)
        #expect(records.map(\.type) == [.beginRequest, .params, .params, .stdin])
        #expect(records[0].content == [0, 1, 0, 0, 0, 0, 0, 0], "role RESPONDER, flags 0")
        #expect(records[2].content.isEmpty && records[3].content.isEmpty)
    }

    @Test func getParamsCarryWhatFlupWantsAndSplitTheQuery() {
        let params = Dictionary(uniqueKeysWithValues: FastCGI.getParams(path: "/health?x=1", scriptName: "/admin"))
        #expect(params["PATH_INFO"] == "/health" && params["QUERY_STRING"] == "x=1" && params["SCRIPT_NAME"] == "/admin")
        for key in ["REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL"] { #expect(params[key] != nil) }
    }

    static func reply(_ stdout: String, stderr: String = "", protocolStatus: UInt8 = 0) -> [UInt8] {
        var out = FastCGI.Record(type: .stdout, requestID: 1, content: Array(stdout.utf8)).encoded()
        if !stderr.isEmpty { out += FastCGI.Record(type: .stderr, requestID: 1, content: Array(stderr.utf8)).encoded() }
        out += FastCGI.Record(type: .stdout, requestID: 1, content: []).encoded()
        return out + FastCGI.Record(type: .endRequest, requestID: 1, content: [0, 0, 0, 0, protocolStatus, 0, 0, 0]).encoded()
    }

    @Test func responsesGiveStatusHeadersBodyAndStderr() throws {
        let r = try FastCGIResponse.parse(Self.reply("Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\ndown", stderr: "Traceback ...")).get()
        #expect(r.status == 503 && r.bodyText == "down" && r.header("content-type") == "text/plain" && r.stderr == "Traceback ...")
        #expect(try FastCGIResponse.parse(Self.reply("Content-Type: text/plain\r\n\r\nok")).get().status == 200)
    }

    @Test func brokenAnswersSayWhatIsWrong() {
        let full = Self.reply("Status: 200 OK\r\n\r\nok")
        #expect(FastCGIResponse.parse([]) == .failure(.empty))
        #expect(FastCGIResponse.parse(Array(full.dropLast(3))) == .failure(.incomplete))
        #expect(FastCGIResponse.parse(FastCGI.Record(type: .stdout, requestID: 1, content: Array("x".utf8)).encoded()) == .failure(.noEndRequest))
        #expect(FastCGIResponse.parse(Self.reply("", protocolStatus: 2)) == .failure(.protocolStatus(2)))
    }
}
