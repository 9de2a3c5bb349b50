/// stackctl's own SCGI client (the protocol's one page: <http://python.ca/scgi/protocol.txt>):
/// the request is a netstring of NUL-separated header pairs, CONTENT_LENGTH first and `SCGI 1`
/// among them, then the body; the answer is a CGI response ("Status: 200 OK", headers, body)
/// up to the close of the connection.
public enum SCGI {
    /// A request: `headers` in order (CONTENT_LENGTH is put first, with the body's length).
    public static func request(headers: [(String, String)], body: [UInt8] = []) -> [UInt8] {
        var pairs: [(String, String)] = [("CONTENT_LENGTH", String(body.count)), ("SCGI", "1")]
        pairs += headers.filter { $0.0 != "CONTENT_LENGTH" && $0.0 != "SCGI" }
        var block: [UInt8] = []
        for (name, value) in pairs { block += Array(name.utf8) + [0] + Array(value.utf8) + [0] }
        return Array("\(block.count):".utf8) + block + Array(",".utf8) + body
    }

    /// A worker's answer, read to the end of the connection.
    public enum Answer: Sendable, Equatable {
        case response(status: Int, headers: [String: String], body: [UInt8])
        /// Nothing, or bytes that are no CGI response.
        case invalid(String)
    }

    public static func parse(_ bytes: [UInt8]) -> Answer {
        guard !bytes.isEmpty else { return .invalid("the worker closed the connection without answering") }
        let hasHead = bytes.starts(with: Array("Status:".utf8)) || bytes.contains(58)
            && (bytes.firstRange(of: [13, 10, 13, 10]) != nil || bytes.firstRange(of: [10, 10]) != nil)
        guard hasHead else { return .invalid("not a CGI response: \(Probe.snippet(String(decoding: bytes.prefix(200), as: UTF8.self)))") }
        let (status, headers, body) = HTTPMessage.splitHead(bytes, statusFromHeader: true)
        return .response(status: status, headers: Dictionary(headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { a, _ in a }), body: body)
    }
}
