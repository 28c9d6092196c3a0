import Foundation

/// A private DNSSEC world for the audit tests: `Fixtures/dns/make-world` writes and signs a
/// root zone, `test.` and one child zone per case into a fresh root-only directory; a real
/// `nsd` serves them and a real validating `unbound`, trusting only that root's DS, answers
/// as a mail server's local resolver would (AD for secure data, SERVFAIL for bogus, no AD for
/// insecure). Both listen on 127.0.0.1 at free ports, run in the foreground and are stopped
/// by the PIDs started here. CONTRIBUTING.md ("The DNS test world") lists every domain.
///
/// Use: `let world = try DNSWorld()`, optionally `try world.setTLSA(...)`, then
/// `try world.start()`; point the code under test at `world.resolver`.
final class DNSWorld: @unchecked Sendable {
    static let nsd = "/usr/sbin/nsd"
    static let unbound = "/usr/sbin/unbound"
    static let ldnsTools = ["/usr/bin/ldns-keygen", "/usr/bin/ldns-signzone", "/usr/bin/ldns-key2ds"]
    static var makeWorld: String { Fixtures.path("dns/make-world") }

    /// nsd, unbound, ldnsutils and dig (the oracle) are there.
    static var isInstalled: Bool {
        ([nsd, unbound, Dig.path] + ldnsTools).allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Suites run when the tools are there, and under scripts/test (MAILTLS_REQUIRE_MTA=1)
    /// always, so a missing nsd, unbound or ldnsutils fails them instead of skipping them.
    static var shouldRun: Bool { isInstalled || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1" }

    /// The output directory: zones/, keys/, tlsa/, nsd.conf, unbound.conf, root.ds, logs.
    let directory: String
    let nsdPort: UInt16
    let resolverPort: UInt16
    /// Where unbound listens: 127.0.0.1, or another loopback address for a tool that only
    /// asks port 53 (posttls-finger in a mount namespace with its own resolv.conf).
    let resolverAddress: String
    /// The address every MX host and mta-sts.<domain> resolves to.
    let mxAddress: String
    /// The address of mx.unreachable.test, where nothing listens.
    let unreachableAddress: String
    /// Adds d1…dN.bulk.test (two MX hosts each) when above 0; their names go to bulk-domains.txt.
    let bulk: Int
    private(set) var nsdPID: pid_t = 0
    private(set) var unboundPID: pid_t = 0

    /// The validating resolver: what `--nameserver` gets.
    var resolver: (host: String, port: UInt16) { (resolverAddress, resolverPort) }
    /// The root's DS record, the resolver's only trust anchor.
    var trustAnchorFile: String { directory + "/root.ds" }
    var bulkDomainsFile: String { directory + "/bulk-domains.txt" }

    /// Makes the directory and picks the ports; nothing is written or started until `start()`.
    /// `resolverAddress`/`resolverPort` put unbound elsewhere than 127.0.0.1 at a free port.
    init(mxAddress: String = "127.0.0.1", unreachableAddress: String = "127.0.0.2", bulk: Int = 0,
         resolverAddress: String = "127.0.0.1", resolverPort: UInt16? = nil) throws {
        guard Self.isInstalled else {
            throw HarnessError("nsd, unbound, ldnsutils or dig is missing (apt-get install nsd unbound ldnsutils bind9-dnsutils; scripts/test installs them)")
        }
        directory = try SafeDirectory.make()
        nsdPort = try Self.freePort()
        var port = try resolverPort ?? Self.freePort()
        while port == nsdPort { port = try Self.freePort() }
        self.resolverPort = port
        self.resolverAddress = resolverAddress
        self.mxAddress = mxAddress
        self.unreachableAddress = unreachableAddress
        self.bulk = bulk
    }

    /// Sets the TLSA records at `owner` (e.g. "_25._tcp.mx.dane-ee.test"), each given as its
    /// data ("3 1 1 <hex>"), in place of make-world's placeholder. Takes effect at the next
    /// `start()` or `restart()`, which sign the zones afresh.
    func setTLSA(_ owner: String, _ records: [String]) throws {
        let folder = directory + "/tlsa"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try (records.joined(separator: "\n") + "\n").write(toFile: folder + "/" + owner, atomically: true, encoding: .utf8)
    }

    /// Runs make-world, starts nsd and waits until it answers for the root, then starts
    /// unbound and waits until it answers the root's SOA with AD (unbound remembers a server
    /// that did not answer, so it is started only once nsd is up).
    func start() throws {
        let made = try run("/bin/bash", [Self.makeWorld, "--out", directory, "--nsd-port", String(nsdPort),
                                         "--unbound-port", String(resolverPort), "--mx-address", mxAddress,
                                         "--unreachable-address", unreachableAddress, "--bulk", String(bulk),
                                         "--resolver-address", resolverAddress])
        guard made.status == 0 else { throw HarnessError("make-world failed (exit \(made.status)): \(made.stderr)") }

        guard let nsd = spawnDaemon([Self.nsd, "-d", "-c", directory + "/nsd.conf"],
                                    stdout: directory + "/nsd.out", stderr: directory + "/nsd.out") else {
            throw HarnessError("cannot start nsd")
        }
        nsdPID = nsd
        try waitUntil("nsd answers for the root on port \(nsdPort)", pid: nsdPID) {
            let answer = try Dig.query(".", "SOA", port: self.nsdPort, recursion: false)
            return answer.status == "NOERROR" && answer.flags.contains("aa")
        }

        guard let unbound = spawnDaemon([Self.unbound, "-d", "-c", directory + "/unbound.conf"],
                                        stdout: directory + "/unbound.out", stderr: directory + "/unbound.out") else {
            stop()
            throw HarnessError("cannot start unbound")
        }
        unboundPID = unbound
        try waitUntil("unbound answers the root's SOA with AD on port \(resolverPort)", pid: unboundPID) {
            let answer = try Dig.query(".", "SOA", server: self.resolverAddress, port: self.resolverPort)
            return answer.status == "NOERROR" && answer.authenticated
        }
    }

    /// Stops both servers, writes and signs the world again (with the TLSA files as they are
    /// now) and starts them on the same ports.
    func restart() throws {
        stop()
        try start()
    }

    /// Stops unbound, then nsd, by the PIDs started here. nsd's started process (it renames
    /// itself "nsd: xfrd") takes its main and server processes down with it.
    func stop() {
        stopDaemon(&unboundPID, grace: 5)
        stopDaemon(&nsdPID, grace: 5)
    }

    /// What the servers logged (make-world's servers write into the directory).
    var log: String {
        ["nsd.out", "nsd/nsd.log", "unbound.out", "unbound.log"].map { name in
            "--- \(name)\n" + ((try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }

    /// Asks the world's resolver through dig.
    func dig(_ name: String, _ type: String, checkingDisabled: Bool = false) throws -> DigAnswer {
        try Dig.query(name, type, server: resolverAddress, port: resolverPort, checkingDisabled: checkingDisabled)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Polls `ready` every 50 ms for up to 20 s; fails early, with the logs, when the server exits.
    private func waitUntil(_ what: String, pid: pid_t, _ ready: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                if pid == nsdPID { nsdPID = 0 } else { unboundPID = 0 }
                stop()
                throw HarnessError("waiting until \(what): the server exited: \(log)")
            }
            if try ready() { return }
            usleep(50_000)
        }
        stop()
        throw HarnessError("\(what): not within 20 s: \(log)")
    }

    /// A port free on 127.0.0.1 for both TCP and UDP (DNS servers take both).
    private static func freePort() throws -> UInt16 {
        for _ in 0..<20 {
            let port = try FreePort.find()
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = port.bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 { return port }
        }
        throw HarnessError("no port free for both TCP and UDP on 127.0.0.1")
    }
}
