import Foundation
import Testing
@testable import MailTLS

/// `check --tlsa dns`, `probe --tlsa dns` and `rollover next --records dns` against the real
/// DNS world (nsd + validating unbound): records that match, a wrong record, a bogus answer,
/// an unsigned zone, a CNAME'd host, and a resolver that does not validate (nsd itself).
@Suite("TLSA from DNS: check, probe, rollover", .enabled(if: DNSWorld.shouldRun), .serialized)
struct DANEFromDNSTests {
    /// The `tlsa` rule's findings of `check --json`.
    static func tlsaFindings(_ stdout: String) throws -> [[String: Any]] {
        try findings(stdout).filter { $0["rule"] as? String == "tlsa" }
    }

    static func findings(_ stdout: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        return object?["findings"] as? [[String: Any]] ?? []
    }

    @Test("check --tlsa dns: match, CNAME, wrong record, bogus, unsigned, no validation")
    func check() async throws {
        let setup = try await AuditWorld.start()
        let ee = setup.directory + "/ee"
        func check(_ host: String, port: UInt16? = nil) async throws -> (status: Int32, tlsa: [[String: Any]], stderr: String, all: [[String: Any]]) {
            let nameserver = "127.0.0.1:\(port ?? setup.world.resolverPort)"
            let result = try await offPool {
                try MailTLSBinary.run(["check", "--dir", ee, "--mta", "postfix", "--host", host, "--tlsa", "dns", "--nameserver", nameserver, "--json"])
            }
            return (result.status, try Self.tlsaFindings(result.stdout), result.stderr, try Self.findings(result.stdout))
        }
        func words(_ findings: [[String: Any]]) -> String {
            findings.map { "\($0["severity"] ?? "") \($0["subject"] ?? "") \($0["message"] ?? "")" }.joined(separator: "\n")
        }

        let good = try await check("mx.dane-ee.test")
        #expect(good.tlsa.count == 1 && good.tlsa[0]["severity"] as? String == "ok", "\(words(good.tlsa)) \(good.stderr)")
        #expect(good.tlsa.first?["message"] as? String ?? "" != "", "\(words(good.tlsa))")
        // Postfix's rules warn about the self-signed certificate and the missing CA file: 3 at most.
        #expect(good.status == 3, "\(words(good.all))")

        // mail.cname-mx.test is a CNAME to mx.dane-ee.test: the expanded name's records come first.
        let cname = try await check("mail.cname-mx.test")
        #expect(cname.tlsa.first?["severity"] as? String == "ok", "\(words(cname.tlsa))")

        let wrong = try await check("mx.dane-wrong.test")
        #expect(wrong.tlsa.first?["severity"] as? String == "warning", "\(words(wrong.tlsa))")
        #expect(words(wrong.tlsa).contains("matches none of the 1 TLSA records in DNS _25._tcp.mx.dane-wrong.test (DNSSEC-validated, TTL 300 s), so DANE senders will defer"), "\(words(wrong.tlsa))")
        #expect(wrong.status == 3, "\(wrong.stderr)")

        let bogus = try await check("mx.bogus-tlsa.test")
        #expect(bogus.tlsa.first?["severity"] as? String == "error", "\(words(bogus.tlsa))")
        #expect(words(bogus.tlsa).contains("failed DNSSEC validation (SERVFAIL"), "\(words(bogus.tlsa))")
        #expect(words(bogus.tlsa).contains("DANE senders defer"), "\(words(bogus.tlsa))")
        #expect(bogus.status == 1)

        let unsigned = try await check("mx.unsigned.test")
        #expect(unsigned.tlsa.first?["severity"] as? String == "warning", "\(words(unsigned.tlsa))")
        #expect(words(unsigned.tlsa).contains("DANE does not apply here (records not signed)"), "\(words(unsigned.tlsa))")

        let notValidating = try await check("mx.dane-ee.test", port: setup.world.nsdPort)
        #expect(notValidating.tlsa.first?["severity"] as? String == "error", "\(words(notValidating.tlsa))")
        #expect(words(notValidating.tlsa).contains("this resolver does not validate DNSSEC; DANE cannot be judged"), "\(words(notValidating.tlsa))")
        #expect(notValidating.status == 1)

        // What --tlsa FILE did is unchanged: the same record from a file matches.
        let served = try MaterialFile.load(CertsLayout(directory: ee).certificatePath).certificates[0]
        let record = AuditWorld.text(try TLSARecord(certificate: served.certificate, der: served.der))
        let file = setup.directory + "/tlsa.txt"
        try "_25._tcp.mx.dane-ee.test. 300 IN TLSA \(record)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await offPool { try MailTLSBinary.run(["check", "--dir", ee, "--mta", "postfix", "--host", "mx.dane-ee.test", "--tlsa", file, "--json"]) }
        let fileFindings = try Self.tlsaFindings(fromFile.stdout)
        #expect(fromFile.status == 3, "\(fromFile.stdout)")
        #expect(fileFindings.first?["severity"] as? String == "ok", "\(words(fileFindings)) \(fromFile.stderr)")
        #expect(fileFindings.first?["subject"] as? String == good.tlsa.first?["subject"] as? String)
        await setup.stop()
    }

    @Test("probe HOST --tlsa dns: DANE verdicts from DNS, SNI the TLSA base; bogus and no validation refuse")
    func probe() async throws {
        let setup = try await AuditWorld.start()
        func probe(_ host: String, port: UInt16? = nil) async throws -> RunResult {
            let arguments = ["probe", host, "--tlsa", "dns", "--nameserver", "127.0.0.1:\(port ?? setup.world.resolverPort)", "--timeout", "5",
                             "--connect-to", "\(host):25:127.0.0.1:\(setup.eeServer.port)"]
            return try await offPool { try MailTLSBinary.run(arguments) }
        }
        let good = try await probe("mx.dane-ee.test")
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        #expect(good.stdout.contains("TLSA from DNS _25._tcp.mx.dane-ee.test (DNSSEC-validated, TTL 300 s)"), "\(good.stdout)")
        #expect(good.stdout.contains("verdict: OK"), "\(good.stdout)")

        // The CNAME'd name: records and SNI from the expanded name.
        let cname = try await probe("mail.cname-mx.test")
        #expect(cname.status == 0, "\(cname.stdout) \(cname.stderr)")
        #expect(cname.stdout.contains("TLSA from DNS _25._tcp.mx.dane-ee.test"), "\(cname.stdout)")

        let wrong = try await probe("mx.dane-wrong.test")
        #expect(wrong.status != 0, "\(wrong.stdout)")
        #expect(wrong.stdout.contains("verdict: FAIL"), "\(wrong.stdout)")
        #expect(wrong.stdout.contains("TLSA from DNS _25._tcp.mx.dane-wrong.test"), "\(wrong.stdout)")

        let bogus = try await probe("mx.bogus-tlsa.test")
        #expect(bogus.status == 1)
        #expect(bogus.stderr.contains("_25._tcp.mx.bogus-tlsa.test: the TLSA lookup _25._tcp.mx.bogus-tlsa.test failed DNSSEC validation (SERVFAIL"), "\(bogus.stderr)")
        #expect(bogus.stderr.contains("DANE senders defer"), "\(bogus.stderr)")
        #expect(!bogus.stdout.contains("verdict:"), "a bogus answer is not probed: \(bogus.stdout)")

        let unsigned = try await probe("mx.unsigned.test")
        #expect(unsigned.stdout.contains("DANE does not apply here (records not signed)"), "\(unsigned.stdout) \(unsigned.stderr)")
        #expect(!unsigned.stdout.contains("  TLSA "), "no DANE match without signed records: \(unsigned.stdout)")
        #expect(unsigned.stdout.contains("verdict:"), "\(unsigned.stdout)")

        let notValidating = try await probe("mx.dane-ee.test", port: setup.world.nsdPort)
        #expect(notValidating.status == 1)
        #expect(notValidating.stderr.contains("this resolver does not validate DNSSEC; DANE cannot be judged"), "\(notValidating.stderr)")
        #expect(!notValidating.stdout.contains("verdict:"), "\(notValidating.stdout)")
        await setup.stop()
    }

    @Test("rollover next --records dns: published and validated, the 2 x TTL wait, wrong, bogus, unsigned, no validation")
    func rollover() async throws {
        let directory = try SafeDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certs = directory + "/certs", other = directory + "/other"
        for path in [certs, other] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        _ = try DANEFixtures.selfSigned(certs, subject: "/CN=mx.dane-ee.test")
        _ = try DANEFixtures.selfSigned(other, subject: "/CN=mx.dane-ta.test")
        let plan = try Rollover.plan(Rollover.Options(directory: certs, host: "mx.dane-ee.test", ttl: 300))
        let otherPlan = try Rollover.plan(Rollover.Options(directory: other, host: "mx.dane-ta.test", ttl: 300))
        let currentRecord = AuditWorld.text(plan.publish.records[0]), nextRecord = AuditWorld.text(plan.publish.records[1])

        let world = try DNSWorld()
        try world.setTLSA("_25._tcp.mx.dane-ee.test", [currentRecord, nextRecord])
        try world.setTLSA("_25._tcp.mx.dane-wrong.test", [currentRecord])
        try world.setTLSA("_25._tcp.mx.unsigned.test", [currentRecord, nextRecord])
        try world.setTLSA("_25._tcp.mx.dane-ta.test", [AuditWorld.text(otherPlan.publish.records[1])])
        try world.start()
        defer { world.stop() }

        let nextKey = certs + "/next.key"
        let nextKeyBytes = try Data(contentsOf: URL(fileURLWithPath: nextKey))
        func next(_ host: String, in dir: String = certs, port: UInt16? = nil) async throws -> RunResult {
            let arguments = ["rollover", "next", "--dir", dir, "--host", host, "--records", "dns", "--self",
                             "--nameserver", "127.0.0.1:\(port ?? world.resolverPort)"]
            return try await offPool { try MailTLSBinary.run(arguments) }
        }

        // plan made next.key just now: a record published after it may be missing from caches
        // for up to the TTL, so the switch waits 2 x 300 s.
        let early = try await next("mx.dane-ee.test")
        #expect(early.status == 1, "\(early.stdout)")
        #expect(early.stderr.contains("next.key's record is published and validated"), "\(early.stderr)")
        #expect(early.stderr.contains("the switch is safe at the earliest"), "\(early.stderr)")
        #expect(early.stderr.contains("(300 s)"), "\(early.stderr)")
        #expect(FileManager.default.fileExists(atPath: nextKey), "nothing is promoted while it is too early")

        // As if plan had run 11 minutes ago.
        let past = Date().addingTimeInterval(-660)
        for key in [nextKey, other + "/next.key"] { try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: key) }

        let wrong = try await next("mx.dane-wrong.test")
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("does not hold next.key's record 3 1 1"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("DNS _25._tcp.mx.dane-wrong.test (DNSSEC-validated, TTL 300 s)"), "\(wrong.stderr)")

        let bogus = try await next("mx.bogus-tlsa.test")
        #expect(bogus.status == 1)
        #expect(bogus.stderr.contains("failed DNSSEC validation (SERVFAIL"), "\(bogus.stderr)")

        let unsigned = try await next("mx.unsigned.test")
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("DANE does not apply here (records not signed)"), "\(unsigned.stderr)")

        let notValidating = try await next("mx.dane-ee.test", port: world.nsdPort)
        #expect(notValidating.status == 1)
        #expect(notValidating.stderr.contains("this resolver does not validate DNSSEC; DANE cannot be judged"), "\(notValidating.stderr)")
        #expect(FileManager.default.fileExists(atPath: nextKey), "no refusal changed anything")

        let done = try await next("mx.dane-ee.test")
        #expect(done.status == 0, "\(done.stdout) \(done.stderr)")
        #expect(done.stdout.contains("is published (DNS _25._tcp.mx.dane-ee.test (DNSSEC-validated, TTL 300 s))"), "\(done.stdout)")
        #expect(done.stdout.contains("the switch is safe since"), "\(done.stdout)")
        #expect(!done.stdout.contains("no longer published"), "\(done.stdout)")
        #expect(!FileManager.default.fileExists(atPath: nextKey))
        #expect(try Data(contentsOf: URL(fileURLWithPath: certs + "/host.key")) == nextKeyBytes, "next.key is now in service")

        // Only the next key's record left: the switch goes ahead, with a warning; JSON says so.
        let text = try await offPool {
            try MailTLSBinary.run(["rollover", "next", "--dir", other, "--host", "mx.dane-ta.test", "--records", "dns", "--nameserver",
                                   "127.0.0.1:\(world.resolverPort)", "--format", "json"])
        }
        #expect(text.status == 0, "\(text.stdout) \(text.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(text.stdout.utf8)) as? [String: Any]
        #expect(json?["ttl"] as? Int == 300, "\(text.stdout)")
        #expect(json?["currentRecordPublished"] as? Bool == false, "\(text.stdout)")
        #expect((json?["publishedIn"] as? String)?.hasPrefix("DNS _25._tcp.mx.dane-ta.test") == true, "\(text.stdout)")
        #expect(json?["safeFrom"] is String, "\(text.stdout)")
        let onlyNext = try await next("mx.dane-ta.test", in: other)
        #expect(onlyNext.status == 0, "\(onlyNext.stdout) \(onlyNext.stderr)")
        #expect(onlyNext.stdout.contains("warning: the current key's record is no longer published"), "\(onlyNext.stdout)")
    }

    @Test("usage: --tlsa dns takes one HOST; --nameserver goes with dns and must be an address")
    func usage() throws {
        let many = try MailTLSBinary.run(["probe", "--targets", "/dev/null", "--tlsa", "dns"])
        #expect(many.status == usageErrorStatus, "\(many.stderr)")
        #expect(many.stderr.contains("--tlsa dns probes one HOST"), "\(many.stderr)")
        let stray = try MailTLSBinary.run(["probe", "mx.example.org", "--nameserver", "127.0.0.1"])
        #expect(stray.stderr.contains("--nameserver goes with --tlsa dns"), "\(stray.stderr)")
        let bad = try MailTLSBinary.run(["probe", "mx.example.org", "--tlsa", "dns", "--nameserver", "resolver.example"])
        #expect(bad.stderr.contains("is not an IP address with an optional port"), "\(bad.stderr)")
        let rollover = try MailTLSBinary.run(["rollover", "next", "--records", "-", "--nameserver", "127.0.0.1"], input: "")
        #expect(rollover.stderr.contains("--nameserver goes with --records dns"), "\(rollover.stderr)")
        for result in [stray, bad, rollover] { #expect(result.status == many.status, "usage errors share one status: \(result.stderr)") }
    }
}
