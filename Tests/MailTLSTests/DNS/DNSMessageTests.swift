@testable import MailTLS
import Testing

/// The DNS reply parser on hand-built byte fixtures: every record type it reads, compression,
/// EDNS and extended errors, and every kind of damage a hostile server can send.
@Suite("DNS message parser")
struct DNSMessageTests {
    typealias F = DNSFixture

    @Test("header flags, counts and the 12-bit reply code")
    func header() throws {
        // QR AA TC RD RA AD CD all set, rcode 3 (NXDOMAIN).
        let message = try DNSFixture(id: 0xBEEF, flags: 0x87B3).parsed()
        let header = message.header
        #expect(header.id == 0xBEEF)
        #expect(header.isResponse && header.authoritative && header.truncated && header.recursionDesired)
        #expect(header.recursionAvailable && header.authenticData && header.checkingDisabled)
        #expect(header.rcode == 3 && message.rcode == 3)
        #expect(message.questions == [DNSQuestion(name: try DNSName("example.org"), type: .a, questionClass: 1)])
        // Only RD: a query, nothing else.
        let query = try DNSFixture(flags: 0x0100).parsed().header
        #expect(!query.isResponse && !query.authenticData && query.recursionDesired && query.opcode == 0)
    }

    @Test("A and AAAA through a compressed owner name")
    func addresses() throws {
        var fixture = DNSFixture(questionName: "mx.example.org")
        fixture.answers = [F.record(F.question, 1, [192, 0, 2, 25]),
                           F.record(F.question, 28, [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [0x25])]
        let message = try fixture.parsed()
        #expect(message.answers.map(\.presentation) == ["A 192.0.2.25", "AAAA 2001:db8::25"])
        #expect(message.answers.allSatisfy { $0.name == (try? DNSName("MX.Example.ORG.")) })
        #expect(try fixture.answer().addresses == ["192.0.2.25"])
        // An A record of 5 octets is refused.
        fixture.answers = [F.record(F.question, 1, [192, 0, 2, 25, 0])]
        #expect(throws: DNSWireError.self) { try fixture.parsed() }
    }

    @Test("a CNAME chain inside the answer section is followed to the asked type")
    func cnameChain() throws {
        // www.example.org CNAME mail.example.org (its suffix compressed to the question's),
        // mail CNAME mx.example.net, mx.example.net A 192.0.2.1, plus an unrelated A record.
        var fixture = DNSFixture(questionName: "www.example.org")
        let mail = [4] + Array("mail".utf8) + [0xC0, 16]   // "mail" + pointer to "example.org"
        fixture.answers = [F.record(F.question, 5, mail),
                           F.record([4] + Array("mail".utf8) + [0xC0, 16], 5, F.name("mx.example.net")),
                           F.record(F.name("mx.example.net"), 1, [192, 0, 2, 1]),
                           F.record(F.name("other.example.net"), 1, [192, 0, 2, 99])]
        let answer = try fixture.answer()
        #expect(answer.cnameChain.map(\.description) == ["mail.example.org.", "mx.example.net."])
        #expect(answer.canonicalName.description == "mx.example.net.")
        #expect(answer.addresses == ["192.0.2.1"])
        // Asked for the CNAME itself: no following.
        fixture.questionType = 5
        #expect(try fixture.answer().records.map(\.presentation) == ["CNAME mail.example.org."])
        // A CNAME loop ends, with no records.
        fixture.questionType = 1
        fixture.answers = [F.record(F.question, 5, F.name("b.example.org")), F.record(F.name("b.example.org"), 5, F.name("www.example.org"))]
        let looped = try fixture.answer()
        #expect(looped.records.isEmpty && looped.cnameChain.count == 1)
    }

    @Test("MX, and the null MX `0 .` of RFC 7505")
    func mx() throws {
        var fixture = DNSFixture(questionType: 15)
        fixture.answers = [F.record(F.question, 15, F.u16(20) + F.name("mx2.example.org")),
                           F.record(F.question, 15, F.u16(10) + [3] + Array("mx1".utf8) + F.question)]
        let answer = try fixture.answer()
        #expect(answer.mailExchangers.map { "\($0.preference) \($0.exchange)" } == ["10 mx1.example.org.", "20 mx2.example.org."])
        #expect(!answer.isNullMX)
        fixture.answers = [F.record(F.question, 15, F.u16(0) + [0])]
        let null = try fixture.answer()
        #expect(null.isNullMX && null.records.map(\.presentation) == ["MX 0 ."])
    }

    @Test("TXT: character-strings kept apart, joined for MTA-STS; quoting as dig prints")
    func txt() throws {
        var fixture = DNSFixture(questionName: "_mta-sts.example.org", questionType: 16)
        fixture.answers = [F.record(F.question, 16, F.txt(["v=STSv1; ", "id=20260101"])),
                           F.record(F.question, 16, F.txt(["a \"quoted\" \\ back", ""]) + [1, 0x07])]
        let answer = try fixture.answer()
        guard case .txt(let strings) = answer.records[0].data else { Issue.record("not TXT"); return }
        #expect(strings == [Array("v=STSv1; ".utf8), Array("id=20260101".utf8)])
        #expect(answer.texts == ["v=STSv1; id=20260101", "a \"quoted\" \\ back\u{07}"])
        #expect(answer.records.map(\.presentation) == [#"TXT "v=STSv1; " "id=20260101""#, #"TXT "a \"quoted\" \\ back" "" "\007""#])
        // A string that runs past the record's data.
        fixture.answers = [F.record(F.question, 16, [10] + Array("short".utf8))]
        #expect(throws: DNSWireError.self) { try fixture.parsed() }
    }

    @Test("TLSA becomes the project's TLSARecord")
    func tlsa() throws {
        let digest = (0..<32).map { UInt8($0) }
        var fixture = DNSFixture(questionName: "_25._tcp.mx.example.org", questionType: 52)
        fixture.answers = [F.record(F.question, 52, [3, 1, 1] + digest), F.record(F.question, 52, [2, 0, 0] + [0x30, 0x82])]
        let answer = try fixture.answer()
        #expect(answer.tlsaRecords == [TLSARecord(usage: .daneEE, selector: .publicKey, matchingType: .sha256, data: digest),
                                       TLSARecord(usage: .daneTA, selector: .certificate, matchingType: .full, data: [0x30, 0x82])])
        #expect(answer.records[0].presentation == "TLSA 3 1 1 " + Hex.lower(digest).uppercased())
        fixture.answers = [F.record(F.question, 52, [3, 1])]
        #expect(throws: DNSWireError.self) { try fixture.parsed() }
    }

    @Test("NXDOMAIN with the SOA in the authority section; NS; RRSIG tells a signed answer")
    func soaNSAndSignatures() throws {
        var fixture = DNSFixture(flags: 0x81A3, questionName: "nosuch.example.org")
        fixture.authorities = [F.record(F.name("example.org"), 6, F.name("ns.example.org") + F.name("hostmaster.example.org")
                                        + F.u32(2026010101) + F.u32(3600) + F.u32(600) + F.u32(86400) + F.u32(300))]
        let answer = try fixture.answer()
        #expect(answer.rcode == .nxDomain && answer.authenticated && answer.records.isEmpty && !answer.isNoData)
        #expect(answer.reply.message.authorities.map(\.presentation) == ["SOA ns.example.org. hostmaster.example.org. 2026010101 3600 600 86400 300"])

        var signed = DNSFixture(questionType: 2)
        let rrsig = F.u16(2) + [13, 2] + F.u32(300) + F.u32(1_800_000_000) + F.u32(1_700_000_000) + F.u16(4711) + F.name("example.org") + [1, 2, 3, 4]
        signed.answers = [F.record(F.question, 2, F.name("ns1.example.org")), F.record(F.question, 46, rrsig)]
        let signedAnswer = try signed.answer()
        #expect(signedAnswer.records.map(\.presentation) == ["NS ns1.example.org."])
        #expect(signedAnswer.isSigned)
        guard case .rrsig(let signature) = signedAnswer.reply.message.answers[1].data else { Issue.record("not RRSIG"); return }
        #expect(signature.typeCovered == .ns && signature.algorithm == 13 && signature.keyTag == 4711 && signature.signature == [1, 2, 3, 4])
        #expect(signature.expiration == 1_800_000_000 && signature.signer.description == "example.org.")
    }

    @Test("unknown types stay raw; NODATA is NOERROR without records")
    func unknownAndNoData() throws {
        var fixture = DNSFixture(questionType: 65)
        fixture.answers = [F.record(F.question, 65, [0, 1, 0xAB])]
        let message = try fixture.parsed()
        #expect(message.answers[0].data == .unknown([0, 1, 0xAB]))
        #expect(message.answers[0].presentation == "TYPE65 \\# 3 0001AB")
        let empty = try DNSFixture(questionType: 28).answer()
        #expect(empty.isNoData && empty.rcode == .noError)
    }

    @Test("EDNS: OPT record, DO bit, extended DNS error and extended reply code")
    func ednsAndExtendedErrors() throws {
        var fixture = DNSFixture(flags: 0x8182)   // SERVFAIL
        fixture.additionals = [F.opt(options: [(10, [1, 2, 3, 4, 5, 6, 7, 8]), (15, F.u16(6) + Array("validation failure <bogus.test. MX IN>".utf8))])]
        let message = try fixture.parsed()
        #expect(message.additionals.isEmpty)
        #expect(message.edns?.dnssecOK == true && message.edns?.udpPayloadSize == 1232 && message.edns?.options.count == 2)
        let answer = try fixture.answer()
        #expect(answer.rcode == .servFail)
        #expect(answer.extendedError == DNSExtendedError(infoCode: 6, extraText: "validation failure <bogus.test. MX IN>"))
        #expect(answer.extendedError?.description == "6 (DNSSEC Bogus): validation failure <bogus.test. MX IN>")
        // BADVERS (16): extended rcode 1 in OPT's TTL, 0 in the header.
        var badvers = DNSFixture()
        badvers.additionals = [F.opt(extendedRcode: 1, dnssecOK: false)]
        #expect(try badvers.parsed().rcode == 16)
        #expect(try badvers.answer().rcode == .other(16))
        #expect(try badvers.answer().rcode.description == "BADVERS")
        // Two OPT records, an EDE shorter than its code, an option past the data: refused.
        badvers.additionals = [F.opt(), F.opt()]
        #expect(throws: DNSWireError.self) { try badvers.parsed() }
        badvers.additionals = [F.opt(options: [(15, [0])])]
        #expect(throws: DNSWireError.self) { try badvers.parsed() }
        badvers.additionals = [F.record([0], 41, recordClass: 1232, F.u16(15) + F.u16(9) + [0, 6])]
        #expect(throws: DNSWireError.self) { try badvers.parsed() }
    }

    /// A reply with one record of each type; every shorter prefix must be refused (the header
    /// counts records that are not all there), never trap or read past the end.
    @Test("a message cut at every length is refused")
    func truncatedAtEveryLength() throws {
        var fixture = DNSFixture(questionName: "mx.example.org", questionType: 15)
        fixture.answers = [F.record(F.question, 15, F.u16(10) + F.question),
                           F.record(F.question, 16, F.txt(["a", "bc"])),
                           F.record(F.question, 52, [3, 1, 1, 9, 9]),
                           F.record(F.question, 28, [UInt8](repeating: 1, count: 16))]
        fixture.authorities = [F.record(F.question, 6, F.question + F.question + F.u32(1) + F.u32(2) + F.u32(3) + F.u32(4) + F.u32(5))]
        fixture.additionals = [F.opt(options: [(15, F.u16(7))])]
        let whole = fixture.bytes
        _ = try DNSMessage(parsing: whole)
        for length in 0..<whole.count {
            #expect(throws: DNSWireError.self, "cut at \(length)") { try DNSMessage(parsing: Array(whole.prefix(length))) }
        }
    }

    @Test("compression pointers: loops, forward pointers, chains and reserved label types are refused")
    func hostileNames() throws {
        // The question's name is a pointer to itself.
        var selfLoop = DNSFixture()
        selfLoop.questionName = ""
        var bytes = selfLoop.bytes
        bytes.replaceSubrange(12...12, with: [0xC0, 12])
        let loop = #expect(throws: DNSWireError.self) { try DNSMessage(parsing: bytes) }
        #expect(loop?.problem.contains("a loop or a forward reference") == true)

        // Two names pointing at each other: the answer's owner points forward to its own data.
        var mutual = DNSFixture()
        let ownerAt = 12 + F.name("example.org").count + 4
        mutual.answers = [F.record([0xC0, UInt8(ownerAt + 12)], 5, [0xC0, UInt8(ownerAt)])]
        #expect(throws: DNSWireError.self) { try mutual.parsed() }

        // A pointer past the end of the message.
        var forward = DNSFixture()
        forward.answers = [F.record([0xC0, 0xFF], 1, [1, 2, 3, 4])]
        #expect(throws: DNSWireError.self) { try forward.parsed() }

        // Label types 0x40 and 0x80 are reserved.
        var reserved = DNSFixture()
        reserved.answers = [F.record([0x41] + [UInt8](repeating: 0x61, count: 1) + [0], 1, [1, 2, 3, 4])]
        #expect(throws: DNSWireError.self) { try reserved.parsed() }

        // A chain of pointers, each to the one before it (all backwards, so no loop): the
        // first answer's data (raw, type 65) is the name "x" at offset 41, then pointer 0 at
        // 44 (to 41) and pointer k at 44 + 2k (to pointer k - 1); the second answer's owner
        // points at one of them. 64 pointers in all are followed; 66 are too many.
        func chain(ownerPointsAt pointer: Int) -> DNSFixture {
            var fixture = DNSFixture()
            let dataStart = 12 + F.name("example.org").count + 4 + 2 + 10
            var data = F.name("x") + [0xC0, UInt8(dataStart)]
            for index in 1..<65 { data += [0xC0, UInt8(dataStart + 3 + (index - 1) * 2)] }
            fixture.answers = [F.record(F.question, 65, data),
                               F.record([0xC0, UInt8(dataStart + 3 + pointer * 2)], 1, [1, 2, 3, 4])]
            return fixture
        }
        let tooMany = #expect(throws: DNSWireError.self) { try chain(ownerPointsAt: 64).parsed() }
        #expect(tooMany?.problem.contains("more than 64 compression pointers") == true)
        #expect(try chain(ownerPointsAt: 62).parsed().answers[1].name.description == "x.")
    }

    @Test("names: 255 octets accepted, 256 refused, labels over 63 refused")
    func nameLengths() throws {
        let label63 = String(repeating: "a", count: 63)
        let longest = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")
        var fixture = DNSFixture(questionName: longest)
        #expect(try fixture.parsed().questions[0].name.wireFormat.count == 255)
        #expect(try DNSName(longest).labels.count == 4)
        fixture.questionName = longest + "c"
        let tooLong = #expect(throws: DNSWireError.self) { try fixture.parsed() }
        #expect(tooLong?.problem.contains("longer than 255") == true)
        #expect(throws: MailTLSError.self) { try DNSName(longest + "c") }
        #expect(throws: MailTLSError.self) { try DNSName(label63 + "a.example") }
        #expect(throws: MailTLSError.self) { try DNSName("a..example") }
        // Compression cannot make a name longer either: 4 x 63 octets, then a pointer to them again.
        var viaPointer = DNSFixture(questionName: [label63, label63, label63].joined(separator: "."))
        viaPointer.answers = [F.record([63] + Array(label63.utf8) + [0xC0, 12], 1, [1, 2, 3, 4])]
        #expect(throws: DNSWireError.self) { try viaPointer.parsed() }
    }

    @Test("names compare without case and print as dig does")
    func names() throws {
        #expect(try DNSName("MX.Example.ORG") == DNSName("mx.example.org."))
        #expect(try DNSName("MX.Example.ORG").hashValue == DNSName("mx.example.org").hashValue)
        #expect(try DNSName("mx.example.org").description == "mx.example.org.")
        #expect(try DNSName(".") == .root && DNSName.root.description == ".")
        #expect(DNSName(validatedLabels: [Array("a.b".utf8), [0x20, 0xFF]]).description == #"a\.b.\032\255."#)
    }

    @Test("64 KiB of answers parse; a message over 65,535 octets is refused")
    func sixtyFourKiB() throws {
        var fixture = DNSFixture()
        let record = F.record(F.question, 1, [192, 0, 2, 1])
        let room = (DNSMessage.maximumSize - fixture.bytes.count) / record.count
        fixture.answers = Array(repeating: record, count: room)
        let bytes = fixture.bytes
        #expect(bytes.count <= 65_535 && bytes.count > 65_535 - record.count)
        let clock = ContinuousClock()
        var answer: DNSAnswer?
        let elapsed = try clock.measure { answer = try fixture.answer() }
        #expect(answer?.records.count == room)
        #expect(elapsed < .seconds(5), "parsing 64 KiB took \(elapsed)")
        let oversized = #expect(throws: DNSWireError.self) { try DNSMessage(parsing: bytes + [UInt8](repeating: 0, count: 65_536 - bytes.count)) }
        #expect(oversized?.problem.contains("over the 65,535") == true)
    }

    /// Moved from ACMEProtocolTests (its DNS client is gone): a reply as a DNS server sends it,
    /// two TXT answers whose owners point to the question, one split in two strings.
    static func txtReply(id: UInt16) -> [UInt8] {
        var fixture = DNSFixture(id: id, questionName: "_acme-challenge.mx.example.org", questionType: 16)
        fixture.answers = [F.record(F.question, 16, ttl: 60, F.txt(["abc"])), F.record(F.question, 16, ttl: 60, F.txt(["def", "ghi"]))]
        return fixture.bytes
    }

    @Test("TXT values read through name compression (the dns-01 wait's reply)")
    func dnsReply() throws {
        let reply = try DNSReply(bytes: Self.txtReply(id: 0x1234))
        #expect(reply.message.header.id == 0x1234)
        #expect(DNSAnswer(name: try DNSName("_acme-challenge.mx.example.org."), type: .txt, reply: reply).texts == ["abc", "defghi"])
    }

    /// The parser reads what the network sends: 100,000 mutations of a real reply and random
    /// bytes (the fuzz target FuzzDNSMessage goes further). A debug build traps on any
    /// out-of-bounds read or overflow, so surviving is the assertion; some must still parse.
    @Test("the parser survives 100,000 mutated and random replies")
    func mutations() {
        var generator = SystemRandomNumberGenerator()
        let seed = Self.txtReply(id: 7)
        var parsed = 0
        for round in 0..<100_000 {
            var reply = seed
            if round % 10 == 0 {
                reply = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    switch Int.random(in: 0...2, using: &generator) {
                    case 0: reply[Int.random(in: 0..<reply.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                    case 1: reply = Array(reply.prefix(Int.random(in: 0...reply.count, using: &generator)))
                    default: reply.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...reply.count, using: &generator))
                    }
                    if reply.isEmpty { break }
                }
            }
            if (try? DNSMessage(parsing: reply)) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
    }

    @Test("the query carries EDNS with DO and AD when DNSSEC is wanted, plain EDNS otherwise")
    func queryEDNS() throws {
        var query = DNSFixture(flags: 0x0100).bytes
        DNSResolver.addEDNS(to: &query, dnssec: true)
        let message = try DNSMessage(parsing: query)
        #expect(message.header.additionalCount == 1 && message.header.authenticData)
        #expect(message.edns?.dnssecOK == true && message.edns?.udpPayloadSize == 1232)
        var plain = DNSFixture(flags: 0x0100).bytes
        DNSResolver.addEDNS(to: &plain, dnssec: false)
        let plainMessage = try DNSMessage(parsing: plain)
        #expect(plainMessage.edns?.dnssecOK == false && !plainMessage.header.authenticData)
    }

    @Test("server addresses: IPv4, IPv6 with port, loopback or not; other text refused")
    func serverAddresses() throws {
        #expect(try DNSServerAddress(parsing: "127.0.0.1:5353").description == "127.0.0.1:5353")
        #expect(try DNSServerAddress(parsing: "[::1]:53").isLoopback)
        #expect(try DNSServerAddress(parsing: "127.0.0.53").isLoopback)
        #expect(try !DNSServerAddress(parsing: "192.0.2.53").isLoopback)
        #expect(try !DNSServerAddress(parsing: "2001:db8::53").isLoopback)
        #expect(try DNSServerAddress(parsing: "2001:db8::53").port == 53)
        let named = #expect(throws: MailTLSError.self) { try DNSServerAddress(parsing: "dns.example", option: "--dns-server") }
        #expect(named?.subject == "--dns-server dns.example")
        #expect(throws: MailTLSError.self) { try DNSServerAddress(parsing: "127.0.0.1:0") }
        #expect(throws: MailTLSError.self) { try DNSServerAddress(parsing: "[::1]x") }
    }
}
