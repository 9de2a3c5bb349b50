import Foundation

extension ManifestDecoder {
    func decodeTLS(_ node: Node) -> FrontTLS? {
        let path = "front.tls"
        guard let t = r.object(node, path, ManifestShape.tls) else { return nil }
        var acme: ACME?
        if let a = t["acme"] {
            // mod_md gives the certificate and key: one of one's own beside it is a contradiction.
            for key in ["certificate", "certificate_path", "key", "key_path"] {
                if let node = t[key] { r.fail(node.mark, "front.tls.\(key)", "give either 'acme' or '\(key)', not both") }
            }
            guard let decoded = decodeACME(a), !["certificate", "certificate_path", "key", "key_path"].contains(where: { t[$0] != nil }) else { return nil }
            acme = decoded
        }
        let certificate = acme == nil ? tlsSource(t, "certificate", marker: "-----BEGIN CERTIFICATE-----", at: node.mark) : .acme
        let key = acme == nil ? tlsSource(t, "key", marker: "PRIVATE KEY-----", at: node.mark) : .acme
        guard let certificate, let key else { return nil }
        var tls = FrontTLS(certificate: certificate, key: key)
        tls.acme = acme
        tls.port = t.int("port") ?? tls.port
        tls.redirect = t.bool("redirect") ?? tls.redirect
        tls.hsts = t.int("hsts", what: "seconds (0: no HSTS)") ?? tls.hsts
        tls.http2 = t.bool("http2") ?? tls.http2
        return tls
    }

    func decodeACME(_ node: Node) -> ACME? {
        let path = "front.tls.acme"
        guard let a = r.object(node, path, ManifestShape.acme), let email = a.string("email") else { return nil }
        var acme = ACME(email: email)
        acme.directory = a.string("directory") ?? acme.directory
        acme.renewWindow = a.string("renew_window")
        acme.wait = a.int("wait") ?? acme.wait
        if let file = a["ca_certificate"] {
            guard let source = pemFile(file, path + ".ca_certificate", marker: "-----BEGIN CERTIFICATE-----", what: "certificate") else { return nil }
            acme.caCertificate = source
        }
        return acme
    }

    /// `NAME: local file` (shipped) or `NAME_path: path on the host`, exactly one.
    func tlsSource(_ t: ShapedFields, _ name: String, marker: String, at mark: Mark) -> FrontTLS.Source? {
        let path = "front.tls.\(name)"
        switch (t[name], t[name + "_path"]) {
        case (nil, nil):
            r.fail(mark, path, "HTTPS needs '\(name): LOCAL_FILE' (shipped) or '\(name)_path: PATH' (already on the front hosts)",
                   hint: "or 'acme:' with an email, for a certificate from Let's Encrypt through mod_md")
            return nil
        case (.some, .some):
            r.fail(t[name + "_path"]!.mark, path + "_path", "give either '\(name)' or '\(name)_path', not both")
            return nil
        case (nil, let onHost?):
            return r.string(onHost, path + "_path", rule: .path).map { .onHost(path: $0) }
        case (let local?, nil):
            guard case .shipped(let file, let contents)? = pemFile(local, path, marker: marker, what: name == "key" ? "private key" : "certificate"),
                  let fileMark = r.scalar(local, path)?.1 else { return nil }
            guard checkSources else { return .shipped(path: file, contents: contents) }
            // The chain is shipped 0644: a key in the same file would be readable by everyone.
            if name == "certificate", contents.contains("PRIVATE KEY-----") {
                r.fail(fileMark, path, "'\(file)' holds a private key as well as the certificate; the certificate file is shipped readable by all",
                       hint: "give the chain alone as 'certificate' and the key as 'key' (shipped 0600)")
                return nil
            }
            if name == "key" { r.secretFiles.append((path, file)) }
            return .shipped(path: file, contents: contents)
        }
    }
}

extension ManifestDecoder {
    /// A local PEM file, read now and shipped: its path (relative to the manifest) and text.
    func pemFile(_ node: Node, _ path: String, marker: String, what: String) -> FrontTLS.Source? {
        guard let (text, fileMark) = r.scalar(node, path) else { return nil }
        let file = localPath(text)
        if let problem = ValueRule.path.problem(in: file) {
            r.fail(fileMark, path, problem.message, hint: problem.hint)
            return nil
        }
        // Text parsed without a file (a snippet) reads nothing.
        guard checkSources else { return .shipped(path: file, contents: "") }
        guard !isDirectory(file), let data = FileManager.default.contents(atPath: file), let contents = String(data: data, encoding: .utf8) else {
            r.fail(fileMark, path, "cannot read '\(file)'")
            return nil
        }
        guard contents.contains(marker) else {
            r.fail(fileMark, path, "'\(file)' is not a PEM \(what) (no '\(marker)' line)")
            return nil
        }
        return .shipped(path: file, contents: contents)
    }
}
