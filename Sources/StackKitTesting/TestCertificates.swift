import Foundation

/// Certificates for the tests, made with the openssl command: a key and a self-signed
/// certificate for a name, valid now or already expired (through `openssl ca`, which takes
/// explicit dates).
public enum TestCertificates {
    public struct Pair: Sendable {
        public var certificate: String
        public var key: String
    }

    /// Writes NAME.pem and NAME.key under `dir`.
    public static func make(in dir: URL, name: String, host: String, expired: Bool = false, days: Int = 90) throws -> Pair {
        let cert = dir.appendingPathComponent("\(name).pem").path, key = dir.appendingPathComponent("\(name).key").path
        let subject = ["-subj", "/CN=\(host)", "-addext", "subjectAltName=DNS:\(host)"]
        if !expired {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", String(days)] + subject, in: dir)
            return Pair(certificate: cert, key: key)
        }
        let ca = dir.appendingPathComponent("ca-\(name)")
        try FileManager.default.createDirectory(at: ca, withIntermediateDirectories: true)
        try "".write(to: ca.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(to: ca.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
        let config = """
        [ca]
        default_ca = c
        [c]
        database = \(ca.path)/index.txt
        serial = \(ca.path)/serial
        new_certs_dir = \(ca.path)
        default_md = sha256
        policy = p
        copy_extensions = copy
        [p]
        commonName = supplied

        """
        try config.write(to: ca.appendingPathComponent("ca.cnf"), atomically: true, encoding: .utf8)
        let csr = ca.appendingPathComponent("req.csr").path
        try openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr] + subject, in: dir)
        try openssl(["ca", "-batch", "-notext", "-config", ca.appendingPathComponent("ca.cnf").path, "-selfsign", "-keyfile", key, "-in", csr, "-out", cert,
                     "-startdate", "20250101000000Z", "-enddate", "20250201000000Z"], in: dir)
        return Pair(certificate: cert, key: key)
    }

    static func openssl(_ args: [String], in dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl \(args.first ?? "") failed"]) }
    }
}
