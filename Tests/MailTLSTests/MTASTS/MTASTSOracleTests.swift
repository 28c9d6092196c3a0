import Foundation
import Testing
@testable import MailTLS
@testable import MailTLSAudit

/// mailtls's MTA-STS reading against Debian's `mta-sts-query` (postfix-mta-sts-resolver, an
/// independent implementation) on every MTA-STS domain of the DNS test world.
///
/// mta-sts-query does its own DNS (aiodns/c-ares read /etc/resolv.conf; it has no resolver
/// option, and a port in resolv.conf is not relied on) and HTTPS
/// (aiohttp to port 443 of the address DNS gives). So: the world's MX and `mta-sts` hosts
/// resolve to 127.0.84.61, where nginx listens on 443; a second unbound, with the world's own
/// config but on 127.0.84.53 port 53, is the resolver; mta-sts-query runs in a mount namespace
/// (`unshare -m`) whose /etc/resolv.conf is a bind-mounted file naming 127.0.84.53, trusting
/// the test CA through SSL_CERT_FILE. (Both addresses are on the loopback; Linux answers all
/// of 127/8 there, so no network namespace is needed.) mailtls's side takes the TXT records
/// as dig gets them from the world's resolver and fetches with `connectTo` to nginx. The two
/// addresses are fixed, so two runs of this suite at once (two checkouts) would collide.
@Suite("MTA-STS vs mta-sts-query", .enabled(if: MTASTSQuery.shouldRun), .serialized)
struct MTASTSOracleTests {
    static let query = MTASTSQuery.path
    static let unshare = "/usr/bin/unshare"
    static let webAddress = "127.0.84.61"
    static let resolverAddress = "127.0.84.53"

    /// What a sender ends up with for a domain.
    enum Outcome: Equatable, CustomStringConvertible {
        case policy(id: String, STSPolicy)
        /// The domain announces no usable MTA-STS record.
        case none
        /// It announces one but no policy could be used.
        case failed(String)

        var description: String {
            switch self {
            case .policy(let id, let policy): return "policy \(id) \(policy.mode.rawValue) \(policy.maxAge) \(policy.mx)"
            case .none: return "none"
            case .failed(let why): return "failed (\(why))"
            }
        }

        /// Failures agree whatever their reasons.
        func agrees(with other: Outcome) -> Bool {
            switch (self, other) {
            case (.failed, .failed): return true
            default: return self == other
            }
        }
    }

    static func policy(_ domain: String, mode: String = "enforce", maxAge: String = "86400") -> String {
        "version: STSv1\nmode: \(mode)\nmx: mx.\(domain)\nmax_age: \(maxAge)\n"
    }

    @Test("each MTA-STS domain of the test world: the same policy, none, or a failure, as mta-sts-query")
    func agreement() async throws {
        let world = try DNSWorld(mxAddress: Self.webAddress)
        try world.start()
        defer { world.stop() }
        var resolver = try Port53Resolver(world: world, address: Self.resolverAddress)
        defer { resolver.stop() }
        let web = try PolicyWebServer(address: Self.webAddress, port: 443)
        defer { web.stop() }

        func served(_ domain: String, _ text: String) throws -> String { try web.page("\(domain).txt", text) }
        let plain = "default_type text/plain; alias"
        var sites: [() throws -> PolicyWebServer.Site] = []
        for domain in ["sts-enforce.test", "dane-ee.test", "dane-wrong.test", "sts-bad-id.test", "two-sts-records.test"] {
            sites.append(web.site("mta-sts.\(domain)", .good, "\(plain) \(try served(domain, Self.policy(domain)));"))
        }
        sites += [
            web.site("mta-sts.sts-testing.test", .good, "\(plain) \(try served("sts-testing.test", Self.policy("sts-testing.test", mode: "testing")));"),
            web.site("mta-sts.sts-none.test", .good, "\(plain) \(try served("sts-none.test", "version: STSv1\nmode: none\nmax_age: 86400\n"));"),
            web.site("mta-sts.sts-redirect.test", .good, "return 302 https://mta-sts.sts-enforce.test/.well-known/mta-sts.txt;"),
            web.site("mta-sts.sts-404.test", .good, "return 404;"),
            web.site("mta-sts.sts-html.test", .good, "default_type text/html; alias \(try served("sts-html.test", Self.policy("sts-html.test")));"),
            web.site("mta-sts.sts-big.test", .good, "\(plain) \(try served("sts-big.test", Self.policy("sts-big.test") + String(repeating: "x-filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", count: 1100)));"),
            web.site("mta-sts.sts-wrong-name.test", .wrongName, "\(plain) \(try served("sts-wrong-name.test", Self.policy("sts-wrong-name.test")));"),
            web.site("mta-sts.sts-expired-cert.test", .expired, "\(plain) \(try served("sts-expired-cert.test", Self.policy("sts-expired-cert.test")));"),
            web.site("mta-sts.sts-slow.test", .good, "limit_rate 1; \(plain) \(try served("sts-slow.test", Self.policy("sts-slow.test")));"),
            web.site("mta-sts.sts-bad-syntax.test", .good, "\(plain) \(try served("sts-bad-syntax.test", Self.policy("sts-bad-syntax.test", maxAge: "1e6")));"),
        ]
        try web.start(sites.map { try $0() })

        let resolvConf = world.directory + "/resolv.conf.oracle"
        try "nameserver \(Self.resolverAddress)\noptions timeout:2 attempts:1\n".write(toFile: resolvConf, atomically: true, encoding: .utf8)

        // sts-bad-id.test: `id=2026-01-01` breaks RFC 8461's `1*32(ALPHA / DIGIT)`, so there is
        // no policy; mta-sts-query does not check the id's characters and fetches the policy.
        let knownDifferences: [String: Outcome] = [
            "sts-bad-id.test": .policy(id: "2026-01-01", STSPolicy(mode: .enforce, maxAge: 86400, mx: ["mx.sts-bad-id.test"])),
        ]
        let domains = ["sts-enforce.test", "sts-testing.test", "sts-none.test", "sts-redirect.test", "sts-404.test", "sts-html.test",
                       "sts-big.test", "sts-wrong-name.test", "sts-expired-cert.test", "sts-slow.test", "sts-bad-syntax.test",
                       "sts-bad-id.test", "two-sts-records.test", "dane-ee.test", "dane-wrong.test"]
        let expectedOurs: [String: String] = [
            "sts-enforce.test": "policy", "sts-testing.test": "policy", "sts-none.test": "policy", "dane-ee.test": "policy",
            "dane-wrong.test": "policy", "sts-bad-id.test": "none", "two-sts-records.test": "none",
        ]
        var agreed = 0
        for domain in domains {
            let ours = try await Self.ours(domain, world: world, web: web)
            let theirs = try await offPool { try Self.theirs(domain, resolvConf: resolvConf, caFile: web.caFile) }
            let kind: String
            switch ours { case .policy: kind = "policy"; case .none: kind = "none"; case .failed: kind = "failed" }
            #expect(kind == expectedOurs[domain] ?? "failed", "\(domain): ours \(ours)")
            if let difference = knownDifferences[domain] {
                #expect(theirs == difference, "\(domain): mta-sts-query \(theirs) (expected its known difference)")
                continue
            }
            #expect(ours.agrees(with: theirs), "\(domain): mailtls \(ours), mta-sts-query \(theirs)")
            if ours.agrees(with: theirs) { agreed += 1 }
        }
        #expect(agreed == domains.count - knownDifferences.count)
    }

    @Test("policies written by mta-sts policy (MX from DNS; a wildcard; testing and enforce) are taken by mta-sts-query as written")
    func writtenPoliciesAccepted() async throws {
        let world = try DNSWorld(mxAddress: Self.webAddress)
        try world.start()
        defer { world.stop() }
        var resolver = try Port53Resolver(world: world, address: Self.resolverAddress)
        defer { resolver.stop() }
        let web = try PolicyWebServer(address: Self.webAddress, port: 443)
        defer { web.stop() }
        let dns = DNSResolver(nameserver: try DNSServerAddress(parsing: "127.0.0.1:\(world.resolverPort)"), timeout: 3, tries: 2)

        // (domain, --mx patterns, mode, the world's id, the policy expected)
        let cases: [(String, [String], STSPolicy.Mode, String, STSPolicy)] = [
            ("sts-enforce.test", [], .enforce, "20260101enforce", STSPolicy(mode: .enforce, maxAge: 604_800, mx: ["mx.sts-enforce.test"])),
            ("sts-testing.test", ["*.sts-testing.test"], .testing, "20260101testing", STSPolicy(mode: .testing, maxAge: 604_800, mx: ["*.sts-testing.test"])),
        ]
        var sites: [PolicyWebServer.Site] = []
        var written: [String: [UInt8]] = [:]
        for (domain, patterns, mode, _, expected) in cases {
            let hosts = await STSMXLookup.hosts(of: domain, resolver: dns)
            let (publication, remarks) = try STSPolicyDraft.make(domain: domain, patterns: patterns, mode: mode,
                                                                 maxAge: STSPolicyDraft.defaultMaxAge, mxHosts: hosts)
            #expect(remarks.isEmpty, "\(domain): \(remarks)")
            #expect(publication.policy == expected)
            let path = web.directory + "/www/\(domain).txt"
            #expect(try STSPolicyFile.write(publication, to: path, force: false) == .written)
            written[domain] = publication.bytes
            sites.append(try web.site("mta-sts.\(domain)", .good, "default_type text/plain; alias \(path);")())
        }
        try web.start(sites)
        let resolvConf = world.directory + "/resolv.conf.oracle"
        try "nameserver \(Self.resolverAddress)\noptions timeout:2 attempts:1\n".write(toFile: resolvConf, atomically: true, encoding: .utf8)
        for (domain, _, _, id, expected) in cases {
            let theirs = try await offPool { try Self.theirs(domain, resolvConf: resolvConf, caFile: web.caFile) }
            #expect(theirs == .policy(id: id, expected), "\(domain): mta-sts-query \(theirs)")
            let ours = await STSPolicyFetcher(web.options(timeout: Self.fetchTimeout, names: ["mta-sts.\(domain)"])).fetch(domain: domain)
            if case .success(let fetched) = ours {
                #expect(fetched.policy == expected)
                #expect(fetched.body == written[domain])
            } else {
                Issue.record("\(domain): the fetcher refused the written policy: \(ours)")
            }
        }
    }

    @Test("mailtls mta-sts serve on port 443: mta-sts-query takes the policy it serves")
    func servedByMailTLS() async throws {
        let world = try DNSWorld(mxAddress: Self.webAddress)
        try world.start()
        defer { world.stop() }
        var resolver = try Port53Resolver(world: world, address: Self.resolverAddress)
        defer { resolver.stop() }
        let server = try PolicyServeProcess(host: "mta-sts.sts-enforce.test", address: Self.webAddress, port: 443)
        let expected = STSPolicy(mode: .enforce, maxAge: 604_800, mx: ["mx.sts-enforce.test"])
        _ = try STSPolicyFile.write(STSPublication(domain: "sts-enforce.test", policy: expected), to: server.policyFile, force: false)
        try server.start()
        defer { server.stop() }
        let resolvConf = world.directory + "/resolv.conf.oracle"
        try "nameserver \(Self.resolverAddress)\noptions timeout:2 attempts:1\n".write(toFile: resolvConf, atomically: true, encoding: .utf8)
        let caFile = server.caFile
        let theirs = try await offPool { try Self.theirs("sts-enforce.test", resolvConf: resolvConf, caFile: caFile) }
        #expect(theirs == .policy(id: "20260101enforce", expected), "mta-sts-query: \(theirs)\n\(server.output)")
    }

    /// The fetcher's one timeout. It judges agreement, not speed: in scripts/test's first
    /// phase this suite runs beside others that sign DNS worlds on the same two cores, and 4 s
    /// once ran out on the first fetch. sts-slow.test (nginx sending 1 byte/s) still ends by it.
    static let fetchTimeout: TimeInterval = 10

    /// mailtls: the TXT RRset as the world's resolver gives it (through dig), then the fetch.
    static func ours(_ domain: String, world: DNSWorld, web: PolicyWebServer) async throws -> Outcome {
        let answer = try await offPool { try world.dig("_mta-sts.\(domain)", "TXT") }
        let rrset = answer.records.filter { $0.hasPrefix("TXT ") }.map { characterStrings(String($0.dropFirst(4))) }
        let reading = STSRecord.read(rrset, name: "_mta-sts.\(domain)")
        guard let record = reading.record else { return .none }
        let host = STSPolicyFetcher.policyHost(of: domain)
        switch await STSPolicyFetcher(web.options(timeout: Self.fetchTimeout, names: [host])).fetch(domain: domain) {
        case .success(let fetched): return .policy(id: record.id, fetched.policy)
        case .failure(let failure): return .failed("\(failure.kind.rawValue): \(failure.reason)")
        }
    }

    /// mta-sts-query in a mount namespace whose /etc/resolv.conf names the port-53 resolver.
    static func theirs(_ domain: String, resolvConf: String, caFile: String) throws -> Outcome {
        let script = "mount --bind \"$1\" /etc/resolv.conf && exec env SSL_CERT_FILE=\"$2\" \(query) \"$3\""
        let result = try run(unshare, ["-m", "/bin/sh", "-c", script, "sh", resolvConf, caFile, domain])
        return parseQueryOutput(result.stdout, stderr: result.stderr)
    }

    /// Reads `(<STSFetchResult.VALID: 1>, ('id', {'mx': ['a'], 'version': 'STSv1', 'mode': 'enforce', 'max_age': 86400}))`,
    /// `(<STSFetchResult.NONE: 0>, None)` or `(<STSFetchResult.FETCH_ERROR: 2>, None)`.
    static func parseQueryOutput(_ stdout: String, stderr: String) -> Outcome {
        func capture(_ pattern: String) -> String? {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  let match = regex.firstMatch(in: stdout, range: NSRange(stdout.startIndex..., in: stdout)),
                  let range = Range(match.range(at: 1), in: stdout) else { return nil }
            return String(stdout[range])
        }
        if stdout.contains("STSFetchResult.NONE") { return .none }
        guard stdout.contains("STSFetchResult.VALID") else { return .failed("mta-sts-query: \(stdout) \(stderr.suffix(300))") }
        guard let id = capture(#"\('([^']*)', \{"#), let modeText = capture(#"'mode': '([^']*)'"#), let mode = STSPolicy.Mode(rawValue: modeText),
              let maxAge = capture(#"'max_age': (\d+)"#).flatMap(Int.init), let mxList = capture(#"'mx': \[([^\]]*)\]"#)
        else { return .failed("unreadable: \(stdout)") }
        let mx = mxList.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '")) }.filter { !$0.isEmpty }
        return .policy(id: id, STSPolicy(mode: mode, maxAge: maxAge, mx: mx))
    }

    /// The character-strings of TXT data as dig prints it: `"v=STSv1; " "id=x"` (with `\"`
    /// and `\DDD` escapes).
    static func characterStrings(_ data: String) -> [String] {
        var strings: [String] = []
        var current: [UInt8]?
        var bytes = Array(data.utf8)[...]
        while let byte = bytes.popFirst() {
            if current == nil {
                if byte == UInt8(ascii: "\"") { current = [] }
                continue
            }
            if byte == UInt8(ascii: "\"") {
                strings.append(String(decoding: current!, as: UTF8.self))
                current = nil
            } else if byte == UInt8(ascii: "\\"), let next = bytes.first {
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next), bytes.count >= 3,
                   let value = UInt8(String(decoding: bytes.prefix(3), as: UTF8.self)) {
                    current!.append(value)
                    bytes = bytes.dropFirst(3)
                } else {
                    current!.append(next)
                    bytes = bytes.dropFirst()
                }
            } else {
                current!.append(byte)
            }
        }
        return strings
    }
}

/// Debian's mta-sts-query, and whether the oracle suite can run (it needs root for
/// `unshare -m` and port 53).
enum MTASTSQuery {
    static let path = "/usr/bin/mta-sts-query"
    static var shouldRun: Bool {
        (FileManager.default.isExecutableFile(atPath: path) && DNSWorld.isInstalled && PolicyWebServer.isInstalled && geteuid() == 0)
            || ProcessInfo.processInfo.environment["MAILTLS_REQUIRE_MTA"] == "1"
    }
}

/// A second unbound for the oracle: the world's own config (same trust anchor, same nsd)
/// listening on `address` port 53, the port resolv.conf implies. Stopped by PID.
struct Port53Resolver {
    private var pid: pid_t = 0

    init(world: DNSWorld, address: String) throws {
        let original = try String(contentsOfFile: world.directory + "/unbound.conf", encoding: .utf8)
        var lines: [String] = []
        for line in original.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("interface:") { lines.append("    interface: \(address)") }
            else if trimmed.hasPrefix("port:") { lines.append("    port: 53") }
            else if trimmed.hasPrefix("pidfile:") { lines.append("    pidfile: \"\(world.directory)/unbound53.pid\"") }
            else if trimmed.hasPrefix("logfile:") { lines.append("    logfile: \"\(world.directory)/unbound53.log\"") }
            else { lines.append(String(line)) }
        }
        let config = world.directory + "/unbound53.conf"
        try lines.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
        guard let started = spawnDaemon([DNSWorld.unbound, "-d", "-c", config],
                                        stdout: world.directory + "/unbound53.out", stderr: world.directory + "/unbound53.out") else {
            throw HarnessError("cannot start the port-53 unbound")
        }
        pid = started
        let deadline = Date().addingTimeInterval(20)
        while true {
            let answer = try Dig.query(".", "SOA", server: address, port: 53)
            if answer.status == "NOERROR" && answer.authenticated { break }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw HarnessError("the port-53 unbound exited: \((try? String(contentsOfFile: world.directory + "/unbound53.out", encoding: .utf8)) ?? "")")
            }
            guard Date() < deadline else { stop(); throw HarnessError("the port-53 unbound did not answer with AD within 20 s") }
            usleep(100_000)
        }
    }

    mutating func stop() { stopDaemon(&pid, grace: 5) }
}
