import Foundation
import Testing
@testable import MailTLS
@testable import MailTLSAudit

/// `mailtls audit` against the real DNS world (nsd + validating unbound) and real
/// `mailtls serve` MX hosts: the verdict a DANE/MTA-STS sender would reach, per domain.
@Suite("audit: DNS world + mailtls serve", .enabled(if: DNSWorld.shouldRun), .serialized)
struct AuditTests {
    struct Case: Sendable {
        var domain: String
        var verdict: AuditVerdict
        var dane: AuditDANEState?
    }

    static let cases: [Case] = [
        Case(domain: "dane-ee.test", verdict: .daneSecure, dane: .usable),
        Case(domain: "dane-ta.test", verdict: .daneSecure, dane: .usable),
        Case(domain: "dane-wrong.test", verdict: .daneFailed, dane: .usable),
        Case(domain: "bogus.test", verdict: .dnssecBogus, dane: nil),
        Case(domain: "bogus-tlsa.test", verdict: .dnssecBogus, dane: .bogus),
        Case(domain: "expired.test", verdict: .dnssecBogus, dane: nil),
        Case(domain: "unsigned.test", verdict: .opportunistic, dane: AuditDANEState.none),
        Case(domain: "cname-mx.test", verdict: .daneSecure, dane: .usable),
        Case(domain: "null-mx.test", verdict: .noMail, dane: nil),
        Case(domain: "no-mx.test", verdict: .daneSecure, dane: .usable),
        Case(domain: "pkix-only.test", verdict: .opportunistic, dane: .unusable),
        Case(domain: "unreachable.test", verdict: .unreachable, dane: .usable),
        Case(domain: "nosuchdomain.test", verdict: .noSuchDomain, dane: nil),
    ]

    @Test("every DNS-world case gets the sender's verdict; bogus ones are never probed")
    func verdicts() async throws {
        let setup = try await AuditWorld.start()
        let auditor = await DomainAuditor.make(try setup.options())
        #expect(auditor.resolverCheck.validates, "\(auditor.resolverCheck.findings)")
        for item in Self.cases {
            let report = await auditor.audit(item.domain)
            #expect(report.verdict == item.verdict, "\(item.domain): \(report.reason) \(report.findings)")
            if let dane = item.dane { #expect(report.mx.first?.dane == dane, "\(item.domain): \(report.mx.first?.reason ?? "no MX")") }
            if item.verdict == .dnssecBogus {
                #expect(report.mx.allSatisfy { $0.addresses.isEmpty }, "\(item.domain): a bogus MX must not be probed")
            }
        }
        // The CNAME'd MX: TLSA found at the expanded name, which is also the SNI.
        let cname = await auditor.audit("cname-mx.test")
        #expect(cname.mx.first?.expandedHost == "mx.dane-ee.test")
        #expect(cname.mx.first?.tlsaBase == "mx.dane-ee.test")
        #expect(cname.mx.first?.addresses.first?.serverName == "mx.dane-ee.test")
        // No MX: the domain's own address, probed.
        let noMX = await auditor.audit("no-mx.test")
        #expect(noMX.mx.map(\.host) == ["no-mx.test"])
        #expect(noMX.mx.first?.addresses.first?.probed == "127.0.0.1:\(setup.eeServer.port)")
        // Every lookup is in the report with its AD bit.
        let ee = await auditor.audit("dane-ee.test")
        #expect(ee.lookups.contains { $0.name == "_25._tcp.mx.dane-ee.test." && $0.type == "TLSA" && $0.authenticated && $0.rcode == "NOERROR" })
        #expect(ee.mx.first?.addresses.first?.tlsaMatch?.isEmpty == false)
        let unsigned = await auditor.audit("unsigned.test")
        #expect(unsigned.lookups.contains { $0.name == "mx.unsigned.test." && $0.type == "A" && !$0.authenticated })
        await setup.stop()
    }

    @Test("a resolver that does not validate (nsd itself): one finding, no DANE verdict")
    func nonValidatingResolver() async throws {
        let setup = try await AuditWorld.start()
        let auditor = await DomainAuditor.make(try setup.options(resolverPort: setup.world.nsdPort))
        #expect(!auditor.resolverCheck.validates)
        let report = await auditor.audit("dane-ee.test")
        #expect(report.findings.contains { $0.severity == .error && $0.message.contains("does not validate DNSSEC; DANE cannot be judged") }, "\(report.findings)")
        #expect(report.mx.allSatisfy { $0.dane == .notJudged })
        #expect(report.verdict != .daneSecure && report.verdict != .daneFailed, "\(report.verdict)")
        #expect(report.exitStatus == 1)
        await setup.stop()
    }

    @Test("the CLI: text and JSON lines, --domains from stdin, exit status by the worst domain")
    func commandLine() async throws {
        let setup = try await AuditWorld.start()
        let base = ["audit", "--nameserver", "127.0.0.1:\(setup.world.resolverPort)", "--ca", setup.caFile, "--timeout", "5"] + setup.connectToArguments
        let good = try await offPool { try MailTLSBinary.run(base + ["no-mx.test"]) }
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        #expect(good.stdout.contains("no-mx.test: dane-secure"), "\(good.stdout)")

        let json = try await offPool { try MailTLSBinary.run(base + ["--json", "dane-ee.test", "dane-wrong.test", "null-mx.test"]) }
        #expect(json.status == 1, "\(json.stderr)")
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(json.stdout)")
        var verdicts: [String: String] = [:]
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            verdicts[object?["domain"] as? String ?? ""] = object?["verdict"] as? String
            #expect((object?["lookups"] as? [[String: Any]])?.isEmpty == false)
        }
        #expect(verdicts == ["dane-ee.test": "dane-secure", "dane-wrong.test": "dane-failed", "null-mx.test": "no-mail"])

        let bulk = try await offPool {
            try MailTLSBinary.run(base + ["--domains", "-", "--concurrency", "3"], input: "# a comment\nbogus.test\n\nunsigned.test\npkix-only.test\nunreachable.test\n")
        }
        #expect(bulk.status == 1)
        #expect(bulk.stdout.contains("summary: 4 domains; dnssec-bogus 1, opportunistic 2, unreachable 1"), "\(bulk.stdout)")
        await setup.stop()
    }

    @Test("MTA-STS through nginx: enforce and testing policies, and DANE wins over a policy the MX would pass",
          .enabled(if: PolicyWebServer.shouldRun))
    func mtaSTS() async throws {
        let setup = try await AuditWorld.start()
        let web = try PolicyWebServer()
        let hosts = ["mx.sts-enforce.test", "mx.sts-testing.test", "mx.dane-wrong.test"]
        func policy(_ mode: String, _ mx: String) -> String { "version: STSv1\nmode: \(mode)\nmx: \(mx)\nmax_age: 86400\n" }
        try web.start([
            web.site("mta-sts.sts-enforce.test", .good, "default_type text/plain; alias \(try web.page("enforce.txt", policy("enforce", "mx.sts-enforce.test")));")(),
            web.site("mta-sts.sts-testing.test", .good, "default_type text/plain; alias \(try web.page("testing.txt", policy("testing", "*.sts-testing.test")));")(),
            web.site("mta-sts.dane-wrong.test", .good, "default_type text/plain; alias \(try web.page("wrong.txt", policy("enforce", "mx.dane-wrong.test")));")(),
        ])
        // One MX server whose certificate the test CA issued for all three MX names (WebPKI-valid
        // for each, expiring in 30 days), so only DANE can make dane-wrong.test fail.
        let mxDirectory = setup.directory + "/sts-mx"
        try FileManager.default.createDirectory(atPath: mxDirectory, withIntermediateDirectories: true)
        let issued = try ChainVerifierOpenSSLTests.issue("mx.sts-enforce.test", by: web.ca, ca: false, names: hosts, usage: [.serverAuth])
        try issued.pem.write(toFile: mxDirectory + "/host.cert", atomically: true, encoding: .utf8)
        try issued.key.serializeAsPEM().pemString.write(toFile: mxDirectory + "/host.key", atomically: true, encoding: .utf8)
        chmod(mxDirectory + "/host.key", 0o600)
        let mx = try await startServer(mxDirectory)

        var options = try setup.options()
        options.anchors = web.anchors
        options.connectTo = hosts.map { ConnectTo(name: $0, port: 25, address: "127.0.0.1", addressPort: mx.port) }
            + ["sts-enforce", "sts-testing", "dane-wrong"].map { ConnectTo(name: "mta-sts.\($0).test", port: 443, address: web.address, addressPort: Int(web.port)) }
        let auditor = await DomainAuditor.make(options)

        let enforce = await auditor.audit("sts-enforce.test")
        #expect(enforce.verdict == .stsEnforced, "\(enforce.reason) \(enforce.findings)")
        #expect(enforce.sts?.mode == "enforce" && enforce.mx.first?.stsCovered == true)
        #expect(enforce.tlsrpt?.rua == ["mailto:tlsrpt@sts-enforce.test"])
        let testing = await auditor.audit("sts-testing.test")
        #expect(testing.verdict == .stsTesting, "\(testing.reason) \(testing.findings)")
        let wrong = await auditor.audit("dane-wrong.test")
        #expect(wrong.sts?.mode == "enforce" && wrong.mx.first?.stsCovered == true, "\(wrong.findings)")
        #expect(wrong.verdict == .daneFailed, "DANE wins: \(wrong.reason)")

        // A day from now, the certificates (valid 30 days) are within 30 days of expiring.
        var summary = AuditSummary(now: Date().addingTimeInterval(86_400))
        for report in [enforce, testing, wrong] { summary.add(report) }
        #expect(summary.stsModes == ["enforce": 2, "testing": 1])
        #expect(summary.daneDomains == 1)
        #expect(summary.expiringSoonCount == 3, "\(summary.expiringSoon) \(enforce.mx.first?.addresses.first?.certificateNotAfter ?? "no notAfter")")
        await mx.stop()
        web.stop()
        await setup.stop()
    }

    @Test("bulk: a list of domains from a file, bounded concurrency, one line per domain, the summary")
    func bulk() async throws {
        let setup = try await AuditWorld.start(bulk: 30)
        let base = ["audit", "--nameserver", "127.0.0.1:\(setup.world.resolverPort)", "--ca", setup.caFile, "--timeout", "5"] + setup.connectToArguments
        let result = try await offPool { try MailTLSBinary.run(base + ["--domains", setup.world.bulkDomainsFile, "--concurrency", "8"]) }
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").filter { $0.hasPrefix("dane-secure") }
        #expect(lines.count == 30, "\(result.stdout)")
        #expect(result.stdout.contains("summary: 30 domains; dane-secure 30"), "\(result.stdout)")
        #expect(result.stdout.contains("DANE: 30 of 30 domains"), "\(result.stdout)")
        #expect(!result.stderr.contains("audited"), "no progress line when stderr is not a terminal: \(result.stderr)")

        let json = try await offPool { try MailTLSBinary.run(base + ["--domains", setup.world.bulkDomainsFile, "--concurrency", "4", "--json"]) }
        let objects = try json.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 30)
        // Two MX hosts per domain, each address probed: mx1 and mx2 both reached the server.
        #expect(objects.allSatisfy { (($0?["mx"] as? [[String: Any]]) ?? []).count == 2 })
        #expect(json.stderr.contains("summary: 30 domains"), "the summary goes to stderr with --json: \(json.stderr)")
        await setup.stop()
    }
}

/// The verdict rules without the network: DANE wins, MTA-STS enforce refuses an MX outside the
/// policy, unreachable addresses count only when nothing answers.
@Suite("audit: verdict rules")
struct AuditVerdictRuleTests {
    static func probe(_ verdict: ProbeVerdict) -> ProbeReport {
        var report = ProbeReport(host: "192.0.2.1", port: 25, verdict: verdict, reason: "reason")
        report.verification = verdict == .ok ? "verified" : "not verified"
        report.tlsaMatch = verdict == .ok ? "TLSA 3 1 1 matches" : "none of the 1 usable TLSA record matches"
        return report
    }

    @Test("DANE, then MTA-STS, then opportunistic")
    func judge() {
        let enforce = STSPolicy(mode: .enforce, maxAge: 86400, mx: ["mx.example.org"])
        let testing = STSPolicy(mode: .testing, maxAge: 86400, mx: ["mx.example.org"])
        #expect(AddressVerdict.judge(Self.probe(.ok), dane: .usable, policy: enforce, covered: false).0 == .daneSecure)
        #expect(AddressVerdict.judge(Self.probe(.fail), dane: .usable, policy: enforce, covered: true).0 == .daneFailed)
        #expect(AddressVerdict.judge(Self.probe(.none), dane: .usable, policy: nil, covered: nil).0 == .daneFailed)
        #expect(AddressVerdict.judge(Self.probe(.ok), dane: .none, policy: enforce, covered: true).0 == .stsEnforced)
        #expect(AddressVerdict.judge(Self.probe(.ok), dane: .none, policy: enforce, covered: false).0 == .stsFailed)
        #expect(AddressVerdict.judge(Self.probe(.fail), dane: .none, policy: enforce, covered: true).0 == .stsFailed)
        #expect(AddressVerdict.judge(Self.probe(.fail), dane: .none, policy: testing, covered: true).0 == .stsTesting)
        #expect(AddressVerdict.judge(Self.probe(.fail), dane: .none, policy: nil, covered: nil).0 == .opportunistic)
        #expect(AddressVerdict.judge(Self.probe(.no), dane: .unusable, policy: nil, covered: nil).0 == .opportunistic)
        #expect(AddressVerdict.judge(Self.probe(.none), dane: .none, policy: nil, covered: nil).0 == .noTLS)
        #expect(AddressVerdict.judge(Self.probe(.temp), dane: .usable, policy: enforce, covered: true).0 == .unreachable)
    }

    @Test("a set is as good as its weakest member that answers")
    func combine() {
        #expect(AddressVerdict.combine([.daneSecure, .unreachable]) == .daneSecure)
        #expect(AddressVerdict.combine([.unreachable, .unreachable]) == .unreachable)
        #expect(AddressVerdict.combine([.daneSecure, .opportunistic]) == .opportunistic)
        #expect(AddressVerdict.combine([.stsEnforced, .dnssecBogus]) == .dnssecBogus)
        #expect(AddressVerdict.combine([]) == nil)
        #expect(AuditVerdict.opportunistic.severity == .warning && AuditVerdict.daneFailed.severity == .error && AuditVerdict.noMail.severity == .ok)
    }
}
