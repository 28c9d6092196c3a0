import Foundation
import Testing
@testable import MailTLS

/// RFC 7672's rules: 3 x x the leaf only (no names, no dates), 2 x x a trust anchor in the
/// chain that the leaf chains to, 0/1 x x unusable.
@Suite("DANE: matcher")
struct DANEMatcherTests {
    @Test("3 1 1 matches the leaf; names and dates are not checked")
    func daneEE() async throws {
        let dir = TempDirectory()
        let layout = try DANEFixtures.selfSigned(dir.path)
        let chain = try DANEFixtures.chain(layout.certificatePath)
        let record = try TLSARecord(certificate: chain[0].certificate, der: chain[0].der)
        let later = Date().addingTimeInterval(400 * 86_400)
        let report = await TLSAMatcher(records: [record], referenceNames: ["other.example.net"], now: later).match(chain: chain)
        #expect(report.verdict == .matched)
        #expect(report.matched?.outcome == .matched(depth: 0, subject: "CN = mail.example.org"))
        #expect(report.summary.hasPrefix("TLSA 3 1 1 ") && report.summary.hasSuffix("matches the server certificate (CN = mail.example.org)"))
        // 3 0 1 and 3 1 2 too.
        for (selector, type) in [(TLSARecord.Selector.certificate, TLSARecord.MatchingType.sha256), (.publicKey, .sha512), (.certificate, .full)] {
            let other = try TLSARecord(certificate: chain[0].certificate, der: chain[0].der, selector: selector, matchingType: type)
            #expect(await TLSAMatcher(records: [other]).match(chain: chain).verdict == .matched)
        }
    }

    @Test("2 1 1 matches the CA from mailtls ca in the presented chain, and the leaf chains to it")
    func daneTA() async throws {
        let dir = TempDirectory()
        let (ca, certs) = try DANEFixtures.caChain(dir)
        let full = try DANEFixtures.chain(certs.fullChainPath)
        #expect(full.count == 2)
        let anchor = try MaterialFile.load(ca.certificatePath).firstCertificate()
        let record = try TLSARecord(certificate: anchor.certificate, der: anchor.der, usage: .daneTA)
        let report = await TLSAMatcher(records: [record], referenceNames: ["mail.example.org"]).match(chain: full)
        #expect(report.verdict == .matched, "\(report.evaluations)")
        #expect(report.matched?.outcome == .matched(depth: 1, subject: "O = Example, CN = Example Mail CA"))
        #expect(!report.summary.contains("names not checked"))
        #expect(await TLSAMatcher(records: [record]).match(chain: full).summary.hasSuffix("; names not checked"))

        // The anchor must be presented, unless the record holds it in full (2 1 0).
        let leafOnly = Array(full.prefix(1))
        let missing = await TLSAMatcher(records: [record]).match(chain: leafOnly)
        #expect(missing.verdict == .noMatch)
        #expect(missing.evaluations[0].outcome == .mismatch("no CA certificate in the presented chain matches"))
        let fullKey = try TLSARecord(certificate: anchor.certificate, der: anchor.der, usage: .daneTA, matchingType: .full)
        #expect(await TLSAMatcher(records: [fullKey]).match(chain: leafOnly).matched?.outcome == .matched(depth: 1, subject: "the public key in the record"))

        // Names are checked for 2 x x when reference names are given.
        let wrongName = await TLSAMatcher(records: [record], referenceNames: ["mx.example.net"]).match(chain: full)
        #expect(wrongName.verdict == .noMatch)
        guard case .mismatch(let why) = wrongName.evaluations[0].outcome else { Issue.record("matched"); return }
        #expect(why.contains("names mail.example.org, not mx.example.net"))

        // Dates are checked for 2 x x.
        let expired = await TLSAMatcher(records: [record], now: Date().addingTimeInterval(500 * 86_400)).match(chain: full)
        #expect(expired.verdict == .noMatch)
        guard case .mismatch(let late) = expired.evaluations[0].outcome else { Issue.record("matched"); return }
        #expect(late.hasPrefix("the server certificate expired on"))
    }

    @Test("2 1 1 for a CA that is presented but did not sign the leaf does not match")
    func daneTAWrongIssuer() async throws {
        let dir = TempDirectory()
        let (_, certs) = try DANEFixtures.caChain(dir)
        let other = TempDirectory()
        let (otherCA, _) = try DANEFixtures.caChain(other)
        let stranger = try MaterialFile.load(otherCA.certificatePath).firstCertificate()
        // The chain as presented: our leaf, then the other CA (same subject, different key).
        let chain = [try DANEFixtures.chain(certs.certificatePath)[0], PresentedCertificate(certificate: stranger.certificate, der: stranger.der)]
        let record = try TLSARecord(certificate: stranger.certificate, der: stranger.der, usage: .daneTA)
        let report = await TLSAMatcher(records: [record]).match(chain: chain)
        #expect(report.verdict == .noMatch)
        guard case .mismatch(let why) = report.evaluations[0].outcome else { Issue.record("matched"); return }
        #expect(why.contains("is not signed by the trust anchor"), "\(why)")
    }

    @Test("2 x x matching the leaf itself is refused: a trust anchor is an issuer")
    func daneTAOnLeaf() async throws {
        let dir = TempDirectory()
        let chain = try DANEFixtures.chain(DANEFixtures.selfSigned(dir.path).certificatePath)
        let record = try TLSARecord(certificate: chain[0].certificate, der: chain[0].der, usage: .daneTA)
        let report = await TLSAMatcher(records: [record]).match(chain: chain)
        #expect(report.verdict == .noMatch)
        guard case .mismatch(let why) = report.evaluations[0].outcome else { Issue.record("matched"); return }
        #expect(why.contains("publish it as 3 1 1"))
    }

    @Test("no match, usage 0/1 unusable, wrong lengths unusable, no records")
    func verdicts() async throws {
        let dir = TempDirectory()
        let chain = try DANEFixtures.chain(DANEFixtures.selfSigned(dir.path).certificatePath)
        let otherDir = TempDirectory()
        let otherChain = try DANEFixtures.chain(DANEFixtures.selfSigned(otherDir.path).certificatePath)
        let mine = try TLSARecord(certificate: chain[0].certificate, der: chain[0].der)
        let foreign = try TLSARecord(certificate: otherChain[0].certificate, der: otherChain[0].der)

        let none = await TLSAMatcher(records: [foreign]).match(chain: chain)
        #expect(none.verdict == .noMatch)
        #expect(none.evaluations[0].outcome == .mismatch("the server certificate's public key does not match"))
        #expect(none.summary == "none of the 1 usable TLSA record matches: a DANE client will not deliver to this server")

        var pkixEE = mine; pkixEE.usage = .pkixEE
        var pkixTA = mine; pkixTA.usage = .pkixTA
        var short = mine; short.data.removeLast()
        let unusable = await TLSAMatcher(records: [pkixEE, pkixTA, short]).match(chain: chain)
        #expect(unusable.verdict == .noUsableRecords)
        #expect(unusable.evaluations.allSatisfy { !$0.isUsable })
        #expect(unusable.summary.contains("none of the 3 TLSA records are usable for SMTP"))

        let mixed = await TLSAMatcher(records: [pkixEE, foreign, mine]).match(chain: chain)
        #expect(mixed.verdict == .matched && mixed.matched?.record == mine, "any usable match passes")

        #expect(await TLSAMatcher(records: []).match(chain: chain).verdict == .noRecords)
        #expect(await TLSAMatcher(records: [mine]).match(chain: [PresentedCertificate]()).verdict == .noMatch)
    }

    @Test("the file source returns the records for the host and port asked, and bare lines for any")
    func fileSource() async throws {
        let dir = TempDirectory()
        let hex = String(repeating: "ab", count: 32), other = String(repeating: "cd", count: 32), bare = String(repeating: "ef", count: 32)
        try dir.write("records.txt", """
        _25._tcp.mail.example.org. IN TLSA 3 1 1 \(hex)
        _25._tcp.mail.example.org. IN TLSA 3 1 1 \(hex)
        _25._tcp.mx2.example.org. IN TLSA 3 1 1 \(other)
        _465._tcp.mail.example.org. IN TLSA 3 1 1 \(other)
        3 1 1 \(bare)
        """)
        let source = try TLSAFileSource(path: dir.file("records.txt"))
        #expect(try source.records(host: "MAIL.example.org", port: 25).map { Hex.lower($0.data) } == [hex, bare])
        #expect(try source.records(host: "mx2.example.org", port: 25).map { Hex.lower($0.data) } == [other, bare])
        #expect(source.otherOwners(host: "mail.example.org", port: 25) == ["_25._tcp.mx2.example.org.", "_465._tcp.mail.example.org."])
    }
}
