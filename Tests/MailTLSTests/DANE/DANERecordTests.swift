import Foundation
import Testing
@testable import MailTLS

/// TLSA records: computed as the openssl pipeline computes them, parsed from every zone form,
/// printed in every format.
@Suite("DANE: TLSA records")
struct DANERecordTests {
    @Test("3 1 1 equals openssl x509 -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256",
          arguments: [KeyAlgorithm.rsa, .ecdsaP256, .ecdsaP384, .ed25519])
    func spkiSHA256(_ algorithm: KeyAlgorithm) throws {
        let dir = TempDirectory()
        let layout = try DANEFixtures.selfSigned(dir.path, algorithm: algorithm)
        let expected = try DANEFixtures.opensslDigest(
            "openssl x509 -in host.cert -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256", in: dir.path)
        #expect(expected.count == 64)
        let (certificate, der) = try MaterialFile.load(layout.certificatePath).firstCertificate()
        let record = try TLSARecord(certificate: certificate, der: der)
        #expect(record.presentation == "3 1 1 \(expected)")
        // From the key alone (what rollover plan does before there is a certificate).
        let key = try MaterialFile.load(layout.keyPath).privateKey()
        #expect(try TLSARecord(publicKey: key.publicKey) == record)
        #expect(record.matches(certificate: certificate, der: der))
        #expect(record.unusableReason == nil)
    }

    @Test("selector 0 with SHA-512 and SHA-256, and full SPKI, equal openssl's", arguments: [KeyAlgorithm.rsa, .ecdsaP256, .ed25519])
    func otherSelectorsAndTypes(_ algorithm: KeyAlgorithm) throws {
        let dir = TempDirectory()
        let layout = try DANEFixtures.selfSigned(dir.path, algorithm: algorithm)
        let (certificate, der) = try MaterialFile.load(layout.certificatePath).firstCertificate()
        let sha512 = try DANEFixtures.opensslDigest("openssl x509 -in host.cert -outform der | openssl dgst -sha512", in: dir.path)
        #expect(try TLSARecord(certificate: certificate, der: der, selector: .certificate, matchingType: .sha512).presentation == "3 0 2 \(sha512)")
        let sha256 = try DANEFixtures.opensslDigest("openssl x509 -in host.cert -outform der | openssl dgst -sha256", in: dir.path)
        #expect(try TLSARecord(certificate: certificate, der: der, selector: .certificate).presentation == "3 0 1 \(sha256)")
        let spki512 = try DANEFixtures.opensslDigest(
            "openssl x509 -in host.cert -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha512", in: dir.path)
        #expect(try TLSARecord(certificate: certificate, der: der, matchingType: .sha512).presentation == "3 1 2 \(spki512)")
        try OpenSSL.expectSuccess(["x509", "-in", "host.cert", "-pubkey", "-noout", "-out", "pub.pem"], in: dir.path)
        try OpenSSL.expectSuccess(["pkey", "-pubin", "-in", "pub.pem", "-outform", "der", "-out", "spki.der"], in: dir.path)
        let full = try TLSARecord(certificate: certificate, der: der, matchingType: .full)
        #expect(full.data == (try dir.bytes("spki.der")))
        let fullCert = try TLSARecord(certificate: certificate, der: der, usage: .daneTA, selector: .certificate, matchingType: .full)
        try OpenSSL.expectSuccess(["x509", "-in", "host.cert", "-outform", "der", "-out", "cert.der"], in: dir.path)
        #expect(fullCert.data == (try dir.bytes("cert.der")))
    }

    static let hex = String(repeating: "0a1b2c3d", count: 8)

    @Test("zone forms: with TTL, class left out, owner left out, $ORIGIN, parentheses, TYPE52, bare")
    func parsesZoneForms() throws {
        let hex = Self.hex
        let upper = hex.uppercased()
        let text = """
        $ORIGIN example.org.
        $TTL 1h
        ; a comment
        _25._tcp.mail.example.org. IN TLSA 3 1 1 \(hex)
        _25._tcp.mail.example.org. 300 IN TLSA 3 1 2 \(hex)\(hex) ; trailing comment
        _25._tcp.mx2 IN 600 TLSA 2 1 1 \(hex)
                     TLSA 3 0 1 \(hex)
        _25._tcp.mx3.example.org. 3600 TLSA 3 1 1 \(hex)
        _25._tcp.mx4.example.org. IN TLSA ( 3 1 1
                \(hex.prefix(32))
                \(hex.dropFirst(32)) )
        _25._tcp.mx5.example.org. IN TYPE52 \\# 35 030101\(hex)
        mail IN MX 10 mail.example.org.
        3 1 1 \(upper.prefix(56)) \(upper.dropFirst(56))
        """
        let entries = try TLSAZoneParser.parse(text, path: "zone.txt")
        #expect(entries.count == 8)
        let data = TLSAZoneParser.hexBytes(hex)!
        #expect(entries[0] == TLSAZoneEntry(owner: "_25._tcp.mail.example.org.", ttl: 3600,
                                             record: TLSARecord(usage: .daneEE, selector: .publicKey, matchingType: .sha256, data: data), line: 4))
        #expect(entries[1].ttl == 300 && entries[1].record.matchingType == .sha512 && entries[1].record.data.count == 64)
        #expect(entries[2].owner == "_25._tcp.mx2.example.org." && entries[2].ttl == 600 && entries[2].record.usage == .daneTA)
        #expect(entries[3].owner == "_25._tcp.mx2.example.org." && entries[3].record.parameters == "3 0 1", "a blank first column repeats the owner")
        #expect(entries[4].owner == "_25._tcp.mx3.example.org." && entries[4].ttl == 3600)
        #expect(entries[5].record.data == data && entries[5].line == 9)
        #expect(entries[6].record == entries[0].record && entries[6].owner == "_25._tcp.mx5.example.org.")
        #expect(entries[7].owner == nil && entries[7].record == entries[0].record, "dig +short output, upper case and split")
    }

    @Test("damaged records are errors naming the file and line")
    func damaged() throws {
        let cases: [(String, String)] = [
            ("_25._tcp.a. IN TLSA 3 1 1 xyz", "line 1: the record data is not hexadecimal"),
            ("_25._tcp.a. IN TLSA 3 1 1 abc", "line 1: the record data is not hexadecimal"),
            ("; header\n_25._tcp.a. IN TLSA 3 1", "line 2: TLSA data needs usage, selector, matching type and data"),
            ("_25._tcp.a. IN TLSA 300 1 1 ab", "line 1: usage \"300\" is not a number from 0 to 255"),
            ("_25._tcp.a. IN TYPE52 \\# 5 0301", "line 1: \\# says 5 bytes but the data has 2"),
            ("_25._tcp.a. IN TYPE52 \\# 2 0301", "line 1: TLSA data needs at least 3 bytes"),
            ("_25._tcp.a. IN TLSA ( 3 1 1 ab", "line 1: the ( is never closed"),
            ("3 1 1", "line 1: the record has no data"),
        ]
        for (text, message) in cases {
            do {
                _ = try TLSAZoneParser.parse(text, path: "zone.txt")
                Issue.record("no error for \(text)")
            } catch let error as MailTLSError {
                #expect(error.subject == "zone.txt")
                #expect(error.problem.hasPrefix(message), "\(text): \(error)")
                #expect(!error.remedy.isEmpty)
            }
        }
        let dir = TempDirectory()
        try dir.write("empty.txt", "; nothing here\nmail IN MX 10 mail.\n")
        #expect(throws: MailTLSError(dir.file("empty.txt"), "holds no TLSA record",
                                     remedy: "give the records as published, e.g. _25._tcp.mail.example.org. IN TLSA 3 1 1 <hex>")) {
            try TLSAZoneParser.load(dir.file("empty.txt"))
        }
    }

    @Test("printing: rfc, generic (RFC 3597) and JSON; generic reads back")
    func printing() throws {
        let record = TLSARecord(usage: .daneEE, selector: .publicKey, matchingType: .sha256, data: TLSAZoneParser.hexBytes(Self.hex)!)
        let owner = TLSAOwner.name(host: "Mail.Example.org", port: 25)
        #expect(owner == "_25._tcp.mail.example.org.")
        #expect(TLSAFormat.rfc.line(record, owner: owner) == "_25._tcp.mail.example.org. IN TLSA 3 1 1 \(Self.hex)")
        #expect(TLSAFormat.rfc.line(record, owner: owner, ttl: 300) == "_25._tcp.mail.example.org. 300 IN TLSA 3 1 1 \(Self.hex)")
        let generic = TLSAFormat.generic.line(record, owner: owner)
        #expect(generic == "_25._tcp.mail.example.org. IN TYPE52 \\# 35 030101\(Self.hex)")
        #expect(try TLSAZoneParser.parse(generic, path: "x").map(\.record) == [record])
        let json = TLSAJSONRecord(record, owner: owner)
        let encoded = String(decoding: try JSONEncoder().encode(json), as: UTF8.self)
        #expect(encoded.contains("\"matchingType\":1") && encoded.contains("\"data\":\"\(Self.hex)\""))
    }

    @Test("unusable: PKIX usages, unknown parameters, wrong digest lengths")
    func unusable() {
        let digest = [UInt8](repeating: 1, count: 32)
        #expect(TLSARecord(usage: .pkixTA, selector: .publicKey, matchingType: .sha256, data: digest).unusableReason?.contains("RFC 7672") == true)
        #expect(TLSARecord(usage: .pkixEE, selector: .publicKey, matchingType: .sha256, data: digest).unusableReason != nil)
        #expect(TLSARecord(usage: .init(rawValue: 4), selector: .publicKey, matchingType: .sha256, data: digest).unusableReason == "usage 4 is unknown")
        #expect(TLSARecord(usage: .daneEE, selector: .init(rawValue: 2), matchingType: .sha256, data: digest).unusableReason == "selector 2 is unknown")
        #expect(TLSARecord(usage: .daneEE, selector: .publicKey, matchingType: .init(rawValue: 3), data: digest).unusableReason == "matching type 3 is unknown")
        #expect(TLSARecord(usage: .daneEE, selector: .publicKey, matchingType: .sha256, data: Array(digest.prefix(31))).unusableReason
                == "SHA2-256(1) data must be 32 bytes, this has 31")
        #expect(TLSARecord(usage: .daneEE, selector: .publicKey, matchingType: .sha512, data: digest).unusableReason
                == "SHA2-512(2) data must be 64 bytes, this has 32")
    }
}
