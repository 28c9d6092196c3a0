import Foundation
@testable import MailTLS
import Testing

/// DNSResolver against the real DNS test world (nsd serving signed zones, a validating
/// unbound; Audit/DNSWorld.swift) through the --nameserver override, with dig as the oracle:
/// for every domain of DNSWorldTests, our reply code, AD bit, extended error and records
/// must be what dig gets from the same unbound.
@Suite("DNS resolver against the DNS test world (dig as oracle)", .enabled(if: DNSWorld.shouldRun))
struct DNSResolverWorldTests {
    @Test("every domain: rcode, AD, EDE and records as dig sees them; the probe sees a validating loopback resolver")
    func everyDomainAgreesWithDig() async throws {
        let world = try DNSWorld()
        try world.start()
        let resolver = DNSResolver(nameserver: try DNSServerAddress(parsing: "127.0.0.1:\(world.resolverPort)"), timeout: 3, tries: 2)

        let probe = try await resolver.probeValidation()
        #expect(probe.validates && probe.onLoopback == true, "\(probe.answer.rcode) AD=\(probe.answer.authenticated)")
        #expect(probe.findings.map(\.severity) == [.ok])

        let cases = (DNSWorldTests.secureDomains + DNSWorldTests.stsServerCases + DNSWorldTests.insecureDomains + DNSWorldTests.bogusDomains)
            .filter { !$0.checkingDisabled }
        var agreed = 0
        for expected in cases {
            let type = try #require(DNSRecordType(name: expected.type))
            let answer = try await resolver.lookup(name: expected.name, type: type)
            let oracle = try world.dig(expected.name, expected.type)
            let ours = answer.reply.message.answers.filter { $0.type != .rrsig }.map(\.presentation).sorted()
            #expect(answer.rcode.description == oracle.status, "\(expected): \(oracle.output)")
            #expect(answer.authenticated == oracle.authenticated, "\(expected): AD: \(oracle.output)")
            #expect(ours == oracle.records, "\(expected)")
            // unbound's extended error depends on its cache: a fresh bogus answer says why
            // (7, Signature Expired), the cached one only 6 (DNSSEC Bogus). Our fresh answer
            // must say what DNSWorldTests' fresh dig says; asked again, what dig now says.
            let again = try await resolver.lookup(name: expected.name, type: type)
            #expect(again.extendedError.map { Int($0.infoCode) } == oracle.extendedError, "\(expected): \(oracle.output)")
            // And the fixed expectations, so an oracle that went wrong the same way still fails.
            #expect(answer.rcode.description == expected.status && answer.authenticated == expected.authenticated, "\(expected)")
            #expect(answer.extendedError.map { Int($0.infoCode) } == expected.extendedError, "\(expected): fresh EDE")
            if answer.rcode.description == oracle.status, answer.authenticated == oracle.authenticated, ours == oracle.records { agreed += 1 }
        }
        #expect(agreed == cases.count)

        // The cases a caller acts on, by name.
        let signed = try await resolver.lookup(name: "dane-ee.test", type: .mx)
        #expect(signed.authenticated && signed.isSigned && signed.mailExchangers.map(\.exchange.description) == ["mx.dane-ee.test."])
        let unsigned = try await resolver.lookup(name: "unsigned.test", type: .mx)
        #expect(!unsigned.authenticated && unsigned.rcode == .noError && unsigned.records.count == 1)
        let bogus = try await resolver.lookup(name: "bogus.test", type: .mx)
        #expect(bogus.rcode == .servFail && !bogus.authenticated && bogus.extendedError?.infoCode == 6)
        let missing = try await resolver.lookup(name: "nonexistent.test", type: .a)
        #expect(missing.rcode == .nxDomain && missing.authenticated)
        let null = try await resolver.lookup(name: "null-mx.test", type: .mx)
        #expect(null.isNullMX && null.authenticated)
        let noData = try await resolver.lookup(name: "no-mx.test", type: .mx)
        #expect(noData.isNoData && noData.authenticated)
        let cname = try await resolver.lookup(name: "mail.cname-mx.test", type: .a)
        #expect(cname.cnameChain.map(\.description) == ["mx.dane-ee.test."] && cname.addresses == ["127.0.0.1"] && cname.authenticated)
        let tlsa = try await resolver.lookup(name: "_25._tcp.mx.dane-ee.test", type: .tlsa)
        let digShort = try world.dig("_25._tcp.mx.dane-ee.test", "TLSA").records.map { String($0.dropFirst("TLSA ".count)) }
        #expect(tlsa.tlsaRecords.map { "\($0.parameters) \(Hex.lower($0.data).uppercased())" } == digShort)
        #expect(tlsa.tlsaRecords.first?.usage == .daneEE && tlsa.authenticated)
        let sts = try await resolver.lookup(name: "_mta-sts.sts-testing.test", type: .txt)
        #expect(sts.texts == ["v=STSv1; id=20260101testing"])

        // Without DNSSEC (ACME's dns-01 wait): the same records, AD not kept.
        var plain = resolver
        plain.dnssec = false
        let plainAnswer = try await plain.lookup(name: "_mta-sts.sts-testing.test", type: .txt)
        #expect(plainAnswer.texts == sts.texts && !plainAnswer.authenticated)
        world.stop()
    }
}
