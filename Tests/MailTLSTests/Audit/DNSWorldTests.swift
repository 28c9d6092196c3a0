import Foundation
import MailTLS
import Testing

/// The DNS test world answers as the audit tests will rely on, checked with the real `dig`
/// against the real validating unbound: the reply code, the AD bit, the extended error and
/// the exact records, per domain.
@Suite("DNS test world (nsd + validating unbound)", .enabled(if: DNSWorld.shouldRun))
struct DNSWorldTests {
    /// One question and the answer it must get.
    struct Expected: CustomStringConvertible {
        var name: String
        var type: String
        var status = "NOERROR"
        var authenticated = true
        var records: [String] = []
        var extendedError: Int? = nil
        var checkingDisabled = false
        var description: String { "\(name) \(type)\(checkingDisabled ? " +cd" : "")" }
    }

    /// make-world's default TLSA data for a case: SHA-256 of "mailtls test world: CASE".
    static func placeholder(_ name: String) -> String {
        Hex.lower(DigestAlgorithm.sha256.digest(Array("mailtls test world: \(name)".utf8))).uppercased()
    }

    static let secureDomains: [Expected] = [
        Expected(name: ".", type: "SOA", records: ["SOA ns.test. hostmaster.test. 1 3600 600 86400 300"]),
        Expected(name: "test.", type: "SOA", records: ["SOA ns.test. hostmaster.test. 1 3600 600 86400 300"]),
        Expected(name: "nonexistent.test", type: "A", status: "NXDOMAIN"),
        Expected(name: "nosuchhost.dane-ee.test", type: "A", status: "NXDOMAIN"),
        // DANE-EE, DANE-TA, a record that matches nothing, usages 0/1 only, an unreachable MX.
        Expected(name: "dane-ee.test", type: "MX", records: ["MX 10 mx.dane-ee.test."]),
        Expected(name: "mx.dane-ee.test", type: "A", records: ["A 127.0.0.1"]),
        Expected(name: "mx.dane-ee.test", type: "AAAA"),
        Expected(name: "_25._tcp.mx.dane-ee.test", type: "TLSA", records: ["TLSA 3 1 1 \(placeholder("dane-ee"))"]),
        Expected(name: "_mta-sts.dane-ee.test", type: "TXT", records: [#"TXT "v=STSv1; id=20260101daneee""#]),
        Expected(name: "_smtp._tls.dane-ee.test", type: "TXT", records: [#"TXT "v=TLSRPTv1; rua=mailto:tlsrpt@dane-ee.test""#]),
        Expected(name: "dane-ta.test", type: "MX", records: ["MX 10 mx.dane-ta.test."]),
        Expected(name: "_25._tcp.mx.dane-ta.test", type: "TLSA", records: ["TLSA 2 1 1 \(placeholder("dane-ta"))"]),
        Expected(name: "_25._tcp.mx.dane-wrong.test", type: "TLSA", records: ["TLSA 3 1 1 \(placeholder("dane-wrong"))"]),
        Expected(name: "_mta-sts.dane-wrong.test", type: "TXT", records: [#"TXT "v=STSv1; id=20260101danewrong""#]),
        Expected(name: "_25._tcp.mx.pkix-only.test", type: "TLSA",
                 records: ["TLSA 0 0 1 \(placeholder("pkix-only-0"))", "TLSA 1 1 1 \(placeholder("pkix-only-1"))"]),
        Expected(name: "mx.unreachable.test", type: "A", records: ["A 127.0.0.2"]),
        Expected(name: "_25._tcp.mx.unreachable.test", type: "TLSA", records: ["TLSA 3 1 1 \(placeholder("unreachable"))"]),
        // MX through a CNAME into another secure zone; null MX; no MX.
        Expected(name: "cname-mx.test", type: "MX", records: ["MX 10 mail.cname-mx.test."]),
        Expected(name: "mail.cname-mx.test", type: "A", records: ["A 127.0.0.1", "CNAME mx.dane-ee.test."]),
        Expected(name: "_25._tcp.mail.cname-mx.test", type: "TLSA", records: ["TLSA 3 1 1 \(placeholder("cname-mx"))"]),
        Expected(name: "null-mx.test", type: "MX", records: ["MX 0 ."]),
        Expected(name: "no-mx.test", type: "MX"),
        Expected(name: "no-mx.test", type: "A", records: ["A 127.0.0.1"]),
        Expected(name: "_25._tcp.no-mx.test", type: "TLSA", records: ["TLSA 3 1 1 \(placeholder("no-mx"))"]),
        // The parent proves that unsigned.test has no DS.
        Expected(name: "unsigned.test", type: "DS"),
        // Bogus data elsewhere in a zone leaves the rest secure.
        Expected(name: "mx.bogus.test", type: "A", records: ["A 127.0.0.1"]),
        Expected(name: "mx.bogus-tlsa.test", type: "A", records: ["A 127.0.0.1"]),
        // MTA-STS and TLS-RPT.
        Expected(name: "sts-enforce.test", type: "MX", records: ["MX 10 mx.sts-enforce.test."]),
        Expected(name: "_mta-sts.sts-enforce.test", type: "TXT", records: [#"TXT "v=STSv1; id=20260101enforce""#]),
        Expected(name: "mta-sts.sts-enforce.test", type: "A", records: ["A 127.0.0.1"]),
        Expected(name: "_smtp._tls.sts-enforce.test", type: "TXT", records: [#"TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts-enforce.test""#]),
        Expected(name: "_mta-sts.sts-testing.test", type: "TXT", records: [#"TXT "v=STSv1; " "id=20260101testing""#]),
        Expected(name: "_mta-sts.sts-bad-id.test", type: "TXT", records: [#"TXT "v=STSv1; id=2026-01-01""#]),
        Expected(name: "_mta-sts.two-sts-records.test", type: "TXT",
                 records: [#"TXT "v=STSv1; id=20260101one""#, #"TXT "v=STSv1; id=20260101two""#]),
        Expected(name: "_smtp._tls.tlsrpt.test", type: "TXT",
                 records: [#"TXT "v=TLSRPTv1; rua=mailto:tlsrpt@tlsrpt.test,https://tlsrpt.test/report""#]),
        Expected(name: "_smtp._tls.tlsrpt-bad.test", type: "TXT",
                 records: [#"TXT "v=TLSRPTv1; rua=ftp://tlsrpt-bad.test/report""#, #"TXT "v=TLSRPTv1; rua=mailto:second@tlsrpt-bad.test""#]),
        Expected(name: "_smtp._tls.sts-testing.test", type: "TXT", status: "NXDOMAIN"),
    ]

    /// The policy-server cases: the same DNS for each, only the id differs.
    static let stsServerCases: [Expected] = ["none", "redirect", "404", "html", "big", "wrong-name", "expired-cert", "slow", "bad-syntax"].flatMap { name in
        [Expected(name: "_mta-sts.sts-\(name).test", type: "TXT",
                  records: ["TXT \"v=STSv1; id=20260101\(name.replacingOccurrences(of: "-", with: ""))\""]),
         Expected(name: "mta-sts.sts-\(name).test", type: "A", records: ["A 127.0.0.1"]),
         Expected(name: "mx.sts-\(name).test", type: "A", records: ["A 127.0.0.1"])]
    }

    /// Insecure: answered, without AD (the TLSA record there must not count for DANE).
    static let insecureDomains: [Expected] = [
        Expected(name: "unsigned.test", type: "MX", authenticated: false, records: ["MX 10 mx.unsigned.test."]),
        Expected(name: "mx.unsigned.test", type: "A", authenticated: false, records: ["A 127.0.0.1"]),
        Expected(name: "_25._tcp.mx.unsigned.test", type: "TLSA", authenticated: false, records: ["TLSA 3 1 1 \(placeholder("unsigned"))"]),
    ]

    /// Bogus: SERVFAIL with the extended error saying why; with CD the data is there, so the
    /// signatures (not the data's absence) are what fails.
    static let bogusDomains: [Expected] = [
        Expected(name: "bogus.test", type: "MX", status: "SERVFAIL", authenticated: false, extendedError: 6),
        Expected(name: "bogus.test", type: "MX", authenticated: false, records: ["MX 11 mx.bogus.test."], checkingDisabled: true),
        Expected(name: "_25._tcp.mx.bogus-tlsa.test", type: "TLSA", status: "SERVFAIL", authenticated: false, extendedError: 6),
        Expected(name: "expired.test", type: "MX", status: "SERVFAIL", authenticated: false, extendedError: 7),
        Expected(name: "mx.expired.test", type: "A", status: "SERVFAIL", authenticated: false, extendedError: 7),
        Expected(name: "_25._tcp.mx.expired.test", type: "TLSA", status: "SERVFAIL", authenticated: false, extendedError: 7),
        Expected(name: "expired.test", type: "MX", authenticated: false, records: ["MX 10 mx.expired.test."], checkingDisabled: true),
    ]

    static func check(_ world: DNSWorld, _ expected: Expected, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let answer = try world.dig(expected.name, expected.type, checkingDisabled: expected.checkingDisabled)
        #expect(answer.status == expected.status, "\(expected): \(answer.output)", sourceLocation: sourceLocation)
        #expect(answer.authenticated == expected.authenticated, "\(expected): AD bit: \(answer.output)", sourceLocation: sourceLocation)
        #expect(answer.records == expected.records.sorted(), "\(expected)", sourceLocation: sourceLocation)
        #expect(answer.extendedError == expected.extendedError, "\(expected): \(answer.output)", sourceLocation: sourceLocation)
    }

    @Test("every domain: secure with AD, unsigned without, bogus and expired SERVFAIL with the reason, exact records")
    func everyDomain() throws {
        let world = try DNSWorld()
        try world.start()
        for expected in Self.secureDomains + Self.stsServerCases + Self.insecureDomains + Self.bogusDomains {
            try Self.check(world, expected)
        }
        // The authoritative side signs what it serves: nsd answers with RRSIGs and without AD.
        let direct = try Dig.query("dane-ee.test", "MX", port: world.nsdPort, recursion: false)
        #expect(direct.status == "NOERROR" && direct.flags.contains("aa") && !direct.authenticated, "\(direct.output)")
        #expect(direct.output.contains("RRSIG\tMX 13 2 300") || direct.output.contains("RRSIG MX 13 2 300"), "\(direct.output)")
    }

    @Test("TLSA files replace the placeholders, a restart re-signs new data, and stop ends both servers")
    func tlsaFilesAndRestart() throws {
        let world = try DNSWorld(bulk: 3)
        let first = String(repeating: "AB", count: 32), second = String(repeating: "CD", count: 32)
        try world.setTLSA("_25._tcp.mx.dane-ee.test", ["3 1 1 \(first)", "# a comment", "", "3 1 1 \(second)"])
        try world.setTLSA("_25._tcp.mx.bogus-tlsa.test", ["3 1 1 \(first)"])
        try world.start()
        try Self.check(world, Expected(name: "_25._tcp.mx.dane-ee.test", type: "TLSA", records: ["TLSA 3 1 1 \(first)", "TLSA 3 1 1 \(second)"]))
        // Broken after signing: the last hex digit flipped (B -> 0), served only with CD.
        try Self.check(world, Expected(name: "_25._tcp.mx.bogus-tlsa.test", type: "TLSA", status: "SERVFAIL", authenticated: false, extendedError: 6))
        try Self.check(world, Expected(name: "_25._tcp.mx.bogus-tlsa.test", type: "TLSA", authenticated: false,
                                       records: ["TLSA 3 1 1 \(first.dropLast())0"], checkingDisabled: true))
        // Bulk domains: two MX each, listed in a file.
        let bulk = try String(contentsOfFile: world.bulkDomainsFile, encoding: .utf8)
        #expect(bulk == "d1.bulk.test\nd2.bulk.test\nd3.bulk.test\n")
        try Self.check(world, Expected(name: "d3.bulk.test", type: "MX", records: ["MX 10 mx1.bulk.test.", "MX 20 mx2.bulk.test."]))
        try Self.check(world, Expected(name: "d4.bulk.test", type: "MX", status: "NXDOMAIN"))
        try Self.check(world, Expected(name: "_25._tcp.mx2.bulk.test", type: "TLSA", records: ["TLSA 3 1 1 \(Self.placeholder("bulk-mx2"))"]))

        let oldAnchor = try String(contentsOfFile: world.trustAnchorFile, encoding: .utf8)
        try world.setTLSA("_25._tcp.mx.dane-ee.test", ["2 1 1 \(second)"])
        try world.restart()
        try Self.check(world, Expected(name: "_25._tcp.mx.dane-ee.test", type: "TLSA", records: ["TLSA 2 1 1 \(second)"]))
        // New keys on every run: the root's DS changed with them.
        #expect(try String(contentsOfFile: world.trustAnchorFile, encoding: .utf8) != oldAnchor)

        let pids = (world.nsdPID, world.unboundPID)
        world.stop()
        #expect(kill(pids.0, 0) == -1 && kill(pids.1, 0) == -1, "nsd or unbound still runs after stop")
        #expect(try world.dig(".", "SOA").status == "", "the resolver still answers after stop")
    }
}
