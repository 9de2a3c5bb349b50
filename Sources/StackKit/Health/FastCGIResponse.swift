import Foundation

/// What a worker answered to one request.
public struct FastCGIResponse: Sendable, Equatable {
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case incomplete
        case noEndRequest
        case protocolStatus(UInt8)

        public var description: String {
            switch self {
            case .empty: "the worker closed the connection without answering"
            case .incomplete: "the answer stopped in the middle of a record"
            case .noEndRequest: "the answer has no END_REQUEST"
            case .protocolStatus(let s):
                "the worker refused the request (protocol status \(s): \(["complete", "cannot multiplex", "overloaded", "unknown role"][Int(min(s, 3))]))"
            }
        }
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The app's FCGI_STDERR output (tracebacks go here, not to the worker's own stderr).
    public var stderr: String
    public var appStatus: UInt32

    public static func == (a: Self, b: Self) -> Bool {
        a.status == b.status && a.body == b.body && a.stderr == b.stderr && a.appStatus == b.appStatus
            && a.headers.elementsEqual(b.headers, by: ==)
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Reassembles STDOUT and STDERR for request `id` and parses the CGI head ("Status: 200 OK").
    public static func parse(_ bytes: [UInt8], id: UInt16 = 1) -> Result<FastCGIResponse, Problem> {
        if bytes.isEmpty { return .failure(.empty) }
        let (records, complete) = FastCGI.decodeRecords(bytes)
        var stdout: [UInt8] = [], stderr: [UInt8] = [], end: FastCGI.Record?
        for r in records where r.requestID == id {
            switch r.type {
            case .stdout: stdout += r.content
            case .stderr: stderr += r.content
            case .endRequest: end = r
            default: break
            }
        }
        guard let end else { return .failure(complete ? .noEndRequest : .incomplete) }
        guard end.content.count >= 5 else { return .failure(.incomplete) }
        let appStatus = UInt32(end.content[0]) << 24 | UInt32(end.content[1]) << 16 | UInt32(end.content[2]) << 8 | UInt32(end.content[3])
        if end.content[4] != 0 { return .failure(.protocolStatus(end.content[4])) }
        let (status, headers, body) = HTTPMessage.splitHead(stdout, statusFromHeader: true)
        return .success(FastCGIResponse(status: status, headers: headers, body: body,
                                        stderr: String(decoding: stderr, as: UTF8.self), appStatus: appStatus))
    }
}

/// Heads of HTTP responses and CGI output: a status line or `Status:` header, headers, body.
public enum HTTPMessage {
    /// A GET naming `site`; over HTTPS it says so as the front does (`X-Forwarded-Proto`).
    public static func request(path: String, site: ProbeSite) -> [UInt8] {
        let proto = site.https ? "X-Forwarded-Proto: https\r\n" : ""
        return Array("GET \(path) HTTP/1.0\r\nHost: \(site.hostHeader)\r\n\(proto)User-Agent: stackctl-probe\r\nConnection: close\r\n\r\n".utf8)
    }

    public static func splitHead(_ bytes: [UInt8], statusFromHeader: Bool) -> (Int, [(String, String)], [UInt8]) {
        var end = bytes.count, bodyStart = bytes.count
        for i in 0..<bytes.count {
            if bytes[i...].starts(with: [13, 10, 13, 10]) { end = i; bodyStart = i + 4; break }
            if bytes[i...].starts(with: [10, 10]) { end = i; bodyStart = i + 2; break }
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = head.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.map(String.init)
        var status = statusFromHeader ? 200 : 0
        if !statusFromHeader, let first = lines.first {
            status = Int(first.split(separator: " ").dropFirst().first ?? "") ?? 0
            lines.removeFirst()
        }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if statusFromHeader && name.lowercased() == "status" { status = Int(value.prefix(3)) ?? 0 }
            headers.append((name, value))
        }
        return (status, headers, Array(bytes[bodyStart...]))
    }
}
