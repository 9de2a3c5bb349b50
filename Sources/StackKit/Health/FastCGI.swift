/// FastCGI 1.0 records, for probing workers the way the middle server talks to them.
public enum FastCGI {
    public enum RecordType: UInt8, Sendable {
        case beginRequest = 1, abortRequest, endRequest, params, stdin, stdout, stderr, data, getValues, getValuesResult, unknownType
    }

    public struct Record: Sendable, Equatable {
        public var type: RecordType
        public var requestID: UInt16
        public var content: [UInt8]

        public init(type: RecordType, requestID: UInt16, content: [UInt8]) {
            self.type = type
            self.requestID = requestID
            self.content = content
        }

        /// Header (version 1, type, id, length, padding to 8 bytes), content, padding.
        public func encoded() -> [UInt8] {
            precondition(content.count <= 0xFFFF)
            let padding = (8 - content.count % 8) % 8
            var out: [UInt8] = [1, type.rawValue, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
                                UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0]
            out += content
            out += [UInt8](repeating: 0, count: padding)
            return out
        }
    }

    /// Name-value pairs: lengths up to 127 in one byte, longer in four with the top bit set.
    public static func encodePairs(_ pairs: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        func length(_ n: Int) {
            if n <= 127 { out.append(UInt8(n)) } else {
                out += [UInt8((n >> 24) & 0x7F) | 0x80, UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)]
            }
        }
        for (name, value) in pairs {
            length(name.utf8.count)
            length(value.utf8.count)
            out += Array(name.utf8) + Array(value.utf8)
        }
        return out
    }

    public static func decodePairs(_ bytes: [UInt8]) -> [(String, String)]? {
        var i = 0, out: [(String, String)] = []
        func length() -> Int? {
            guard i < bytes.count else { return nil }
            if bytes[i] & 0x80 == 0 { i += 1; return Int(bytes[i - 1]) }
            guard i + 4 <= bytes.count else { return nil }
            let n = Int(bytes[i] & 0x7F) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            i += 4
            return n
        }
        while i < bytes.count {
            guard let n = length(), let v = length(), i + n + v <= bytes.count else { return nil }
            out.append((String(decoding: bytes[i..<i + n], as: UTF8.self), String(decoding: bytes[i + n..<i + n + v], as: UTF8.self)))
            i += n + v
        }
        return out
    }

    /// A complete RESPONDER request: BEGIN_REQUEST (flags 0: the worker closes the connection,
    /// so no thread or child stays pinned), PARAMS, an empty PARAMS, STDIN, an empty STDIN.
    public static func request(id: UInt16 = 1, params: [(String, String)], body: [UInt8] = []) -> [UInt8] {
        var out = Record(type: .beginRequest, requestID: id, content: [0, 1, 0, 0, 0, 0, 0, 0]).encoded()
        let encoded = encodePairs(params)
        var offset = 0
        while offset < encoded.count {
            let chunk = Array(encoded[offset..<min(encoded.count, offset + 0xFFF8)])
            out += Record(type: .params, requestID: id, content: chunk).encoded()
            offset += chunk.count
        }
        out += Record(type: .params, requestID: id, content: []).encoded()
        if !body.isEmpty { out += Record(type: .stdin, requestID: id, content: body).encoded() }
        out += Record(type: .stdin, requestID: id, content: []).encoded()
        return out
    }

    /// The parameters a WSGI app under flup needs for GET `path` (flup warns without the
    /// SERVER_*), naming `site` as a request through the front would; `HTTPS=on` makes flup
    /// give the app `wsgi.url_scheme` https.
    public static func getParams(path: String, scriptName: String = "", site: ProbeSite = ProbeSite()) -> [(String, String)] {
        let (p, query) = path.firstIndex(of: "?").map { (String(path[..<$0]), String(path[path.index(after: $0)...])) } ?? (path, "")
        var params = [
            ("GATEWAY_INTERFACE", "CGI/1.1"), ("REQUEST_METHOD", "GET"), ("SCRIPT_NAME", scriptName),
            ("PATH_INFO", p), ("QUERY_STRING", query), ("REQUEST_URI", scriptName + path),
            ("SERVER_NAME", site.name), ("SERVER_PORT", String(site.port)), ("SERVER_PROTOCOL", "HTTP/1.0"),
            ("REMOTE_ADDR", "127.0.0.1"), ("HTTP_HOST", site.hostHeader), ("HTTP_USER_AGENT", "stackctl-probe"),
            ("CONTENT_LENGTH", "0"),
        ]
        if site.https { params += [("HTTPS", "on"), ("REQUEST_SCHEME", "https")] }
        return params
    }

    public static func getValuesRequest(_ names: [String]) -> [UInt8] {
        Record(type: .getValues, requestID: 0, content: encodePairs(names.map { ($0, "") })).encoded()
    }

    /// Splits a byte stream into records; `complete` is false when the stream stops mid-record.
    public static func decodeRecords(_ bytes: [UInt8]) -> (records: [Record], complete: Bool) {
        var records: [Record] = [], i = 0
        while i + 8 <= bytes.count {
            let length = Int(bytes[i + 4]) << 8 | Int(bytes[i + 5]), padding = Int(bytes[i + 6])
            guard bytes[i] == 1, i + 8 + length + padding <= bytes.count else { return (records, false) }
            let type = RecordType(rawValue: bytes[i + 1]) ?? .unknownType
            records.append(Record(type: type, requestID: UInt16(bytes[i + 2]) << 8 | UInt16(bytes[i + 3]), content: Array(bytes[i + 8..<i + 8 + length])))
            i += 8 + length + padding
        }
        return (records, i == bytes.count)
    }
}
