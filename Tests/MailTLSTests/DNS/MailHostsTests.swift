import Testing
@testable import MailTLS

/// The one reading of an MX answer (`audit`, `mta-sts`) and of a host's A/AAAA answers
/// (`audit`, `check`/`probe`/`rollover` with `dns`), on replies built byte by byte.
@Suite("MX and address answers, read once")
struct MailHostsTests {
    /// MX data: preference and an uncompressed exchange name ("" for the root).
    static func mx(_ preference: UInt16, _ exchange: String) -> [UInt8] {
        DNSFixture.u16(preference) + DNSFixture.name(exchange)
    }

    static func mxAnswer(_ records: [(UInt16, String)]) throws -> DNSAnswer {
        var fixture = DNSFixture(questionName: "example.org", questionType: 15)
        fixture.answers = records.map { DNSFixture.record(DNSFixture.question, 15, Self.mx($0.0, $0.1)) }
        return try fixture.answer()
    }

    @Test("MX: by preference, each name once, case folded; null MX; none means the domain itself")
    func mailHosts() throws {
        let two = MailHosts(domain: "example.org", answer: try Self.mxAnswer([(20, "MX2.example.org"), (10, "mx1.example.org"), (30, "mx2.example.org")]))
        #expect(two == .exchangers([MailHost(preference: 10, name: "mx1.example.org"), MailHost(preference: 20, name: "mx2.example.org")]))
        #expect(MailHosts(domain: "example.org", answer: try Self.mxAnswer([(0, "")])) == .noMail)
        #expect(MailHosts(domain: "example.org", answer: try Self.mxAnswer([(0, "")])).hosts.isEmpty)
        let none = MailHosts(domain: "example.org", answer: try Self.mxAnswer([]))
        #expect(none == .implicit(MailHost(preference: 0, name: "example.org")))
        #expect(none.hosts.map(\.name) == ["example.org"])
        // A root exchanger beside real ones is not a null MX: it is left out.
        #expect(MailHosts(domain: "example.org", answer: try Self.mxAnswer([(0, ""), (10, "mx.example.org")])).hosts.map(\.name) == ["mx.example.org"])
    }

    static func addressAnswer(_ type: UInt16, flags: UInt16, _ addresses: [[UInt8]]) throws -> Result<DNSAnswer, DNSLookupError> {
        var fixture = DNSFixture(flags: flags, questionName: "mx.example.org", questionType: type)
        fixture.answers = addresses.map { DNSFixture.record(DNSFixture.question, type, $0) }
        return .success(try fixture.answer())
    }

    @Test("A/AAAA: secure only when both carry AD; SERVFAIL and no reply are failures senders defer on")
    func hostAddresses() throws {
        let secureFlags: UInt16 = 0x81A0, insecureFlags: UInt16 = 0x8180, servFail: UInt16 = 0x8182
        let v4 = try Self.addressAnswer(1, flags: secureFlags, [[192, 0, 2, 25]])
        let noV6 = try Self.addressAnswer(28, flags: secureFlags, [])
        guard case .success(let secure) = HostAddressAnswers.read(host: "mx.example.org", [v4, noV6]) else {
            Issue.record("secure answers were refused")
            return
        }
        #expect(secure.addresses == ["192.0.2.25"] && secure.secure && secure.expanded == "mx.example.org")

        let unsigned = HostAddressAnswers.read(host: "mx.example.org", [v4, try Self.addressAnswer(28, flags: insecureFlags, [])])
        #expect((try? unsigned.get())?.secure == false, "one answer without AD makes the host insecure")

        let bogus = HostAddressAnswers.read(host: "mx.example.org", [v4, try Self.addressAnswer(28, flags: servFail, [])])
        guard case .failure(.bogus(let reason)) = bogus else {
            Issue.record("SERVFAIL was not bogus: \(bogus)")
            return
        }
        #expect(reason == "the AAAA lookup of mx.example.org failed (SERVFAIL): senders defer the mail, never send it in plaintext")

        let silent = DNSLookupError(.noReply, resolver: "resolver 127.0.0.1:53", name: "mx.example.org", type: .a)
        guard case .failure(.lookup) = HostAddressAnswers.read(host: "mx.example.org", [.failure(silent), noV6]) else {
            Issue.record("no reply was not a lookup failure")
            return
        }
    }
}
