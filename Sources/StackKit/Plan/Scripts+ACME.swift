extension Scripts {
    /// mod_md's status, read from the front host's own front on its plain port (the only
    /// client it answers), as one line: `@acme EPOCH ok JSON` or `@acme EPOCH error WHY`.
    static func acmeFacts(_ plan: HostPlan) -> ShellCode {
        let t = plan.topology, address = t.frontConnectAddress(of: plan.host.name)
        let read = "import sys, json, time, http.client\n"
            + "a, p, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]\n"
            + "try:\n"
            + "    c = http.client.HTTPConnection(a, p, timeout=5, source_address=(a, 0))\n"
            + "    c.request('GET', path, headers={'User-Agent': 'stackctl-probe'})\n"
            + "    r = c.getresponse(); body = r.read()\n"
            + "    out = 'ok ' + json.dumps(json.loads(body), separators=(',', ':')) if r.status == 200 else 'error HTTP %d from %s' % (r.status, path)\n"
            + "except Exception as e:\n"
            + "    out = 'error %s' % (e or type(e).__name__)\n"
            + "print('\(Marker.Tag.acme.prefix) %d %s' % (time.time(), ' '.join(str(out).split())))\n"
        let port = String(t.manifest.front.port)
        return "\(plan.platform.python) -I -S -c \(read) \([address, port, Topology.acmeStatusPath])\n"
    }

    /// A front host's managed domains (`ACMEReply`).
    public static func acmeStatus(_ plan: HostPlan) -> HostScript<ACMEReply> {
        HostScript(.acme, acmeFacts(plan), timeout: .seconds(30))
    }
}
