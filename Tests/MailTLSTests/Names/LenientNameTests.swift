import Crypto
import Foundation
import Testing
@testable import MailTLS

/// Subjects in the BER that OpenSSL 3.0 also loads (long-form lengths, chunked strings,
/// indefinite lengths, high tag numbers) and just past where it stops, built byte by
/// byte here and asked of the live `openssl`: mailtls hashes (new and old), links, shows
/// and fingerprints what OpenSSL loads as OpenSSL does, and refuses what it refuses with
/// the reason. Whether OpenSSL loads each case is stated too (read from its decoder's
/// source, `crypto/asn1/tasn_dec.c` and `asn1_lib.c`), so a case can not quietly turn
/// into two refusals that agree.
@Suite struct LenientNameTests {
    @Test(arguments: LenientCase.all)
    func hashesLikeOpenSSLOrRefusesWithTheReason(_ testCase: LenientCase) throws {
        let dir = TempDirectory("lenient-name")
        let spki = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        let path = dir.file("case.pem")
        try dir.write("case.pem", PEMScanner.encode(TestCertificate.der(subject: testCase.subject, spki: spki, serial: 5), label: "CERTIFICATE"))
        let new = try OpenSSL.run(["x509", "-hash", "-noout", "-in", path])
        let old = try OpenSSL.run(["x509", "-subject_hash_old", "-noout", "-in", path])
        #expect((new.status == 0) == (testCase.refusal == nil), "openssl x509 -hash: \(new.stdout)\(new.stderr)")
        #expect((old.status == 0) == (new.status == 0))

        let ours = Result { () throws -> (String, String) in
            let object = try #require(try TrustFile.load(path).certificates.first)
            return (SubjectHash.text(try object.hash(.new, path: path)), SubjectHash.text(try object.hash(.old, path: path)))
        }
        if new.status == 0 {
            let hashes = try ours.get()
            #expect(hashes.0 + "\n" == new.stdout)
            #expect(hashes.1 + "\n" == old.stdout)
        } else {
            #expect(throws: MailTLSError.self) { try ours.get() }
            if case .failure(let error as MailTLSError) = ours, let words = testCase.refusal {
                #expect(error.problem.contains(words), "\(error.problem)")
            }
        }
    }

    @Test(arguments: [RehashOptions.Hashes.new, .old])
    func rehashLinksWhatOpenSSLLinks(_ hashes: RehashOptions.Hashes) throws {
        let ours = TempDirectory("lenient-rehash-ours"), theirs = TempDirectory("lenient-rehash-openssl")
        let spki = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        for (index, testCase) in LenientCase.all.enumerated() {
            let pem = PEMScanner.encode(TestCertificate.der(subject: testCase.subject, spki: spki, serial: UInt64(index + 1)), label: "CERTIFICATE")
            try ours.write("\(testCase.name).pem", pem)
            try theirs.write("\(testCase.name).pem", pem)
        }
        let flag: [String] = hashes == .new ? [] : ["-old"]
        try OpenSSL.run(["rehash"] + flag + [theirs.path])
        let result = try MailTLSBinary.run(["rehash"] + (hashes == .new ? [] : ["--old"]) + [ours.path])
        let openssl = TrustFixtures.links(theirs.path)
        #expect(openssl.count == LenientCase.all.filter { $0.refusal == nil }.count)
        #expect(TrustFixtures.links(ours.path) == openssl, "\(result.stdout)\(result.stderr)")
    }

    @Test func hashCommandPrintsOpenSSLsHashAndATrueRefusal() throws {
        let dir = TempDirectory("lenient-hash-cli")
        let spki = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        for name in ["chunked-indefinite", "deeply-nested"] {
            let testCase = try #require(LenientCase.all.first { $0.name == name })
            try dir.write(name + ".pem", PEMScanner.encode(TestCertificate.der(subject: testCase.subject, spki: spki, serial: 9), label: "CERTIFICATE"))
        }
        let chunked = dir.file("chunked-indefinite.pem")
        #expect(try MailTLSBinary.run(["hash", chunked]).stdout == (try OpenSSL.expectSuccess(["x509", "-hash", "-noout", "-in", chunked])))
        #expect(try MailTLSBinary.run(["hash", "--old", chunked]).stdout == (try OpenSSL.expectSuccess(["x509", "-subject_hash_old", "-noout", "-in", chunked])))
        let nested = dir.file("deeply-nested.pem")
        #expect(try OpenSSL.run(["x509", "-hash", "-noout", "-in", nested]).status != 0)
        let refused = try MailTLSBinary.run(["hash", nested])
        #expect(refused.status == 1 && refused.stdout.isEmpty)
        #expect(refused.stderr.contains("more than 5 levels deep"), "\(refused.stderr)")
    }

    /// A CRL whose issuer's CN is chunked: `openssl crl -hash` and the `.r0` link of
    /// `openssl rehash` agree with mailtls.
    @Test func crlWithAChunkedIssuerHashesLikeOpenSSL() throws {
        let dir = TempDirectory("lenient-crl")
        let issuer = LenientCase.name(LenientCase.chunks(0x2C, [LenientCase.utf8("CRL "), LenientCase.utf8("Issuer")]))
        let algorithm = TestDER.tlv(0x30, TestDER.oid("1.2.840.10045.4.3.2"))
        let tbs = TestDER.tlv(0x30, TestDER.tlv(0x02, [1]) + algorithm + issuer
                              + TestDER.tlv(0x17, Array("200101000000Z".utf8)) + TestDER.tlv(0x17, Array("491231235959Z".utf8)))
        let signature = TestDER.tlv(0x03, [0] + TestDER.tlv(0x30, TestDER.tlv(0x02, [1]) + TestDER.tlv(0x02, [1])))
        try dir.write("chunked.crl", PEMScanner.encode(TestDER.tlv(0x30, tbs + algorithm + signature), label: "X509 CRL"))
        let theirs = try OpenSSL.expectSuccess(["crl", "-hash", "-noout", "-in", dir.file("chunked.crl")])
        #expect(try MailTLSBinary.run(["hash", dir.file("chunked.crl")]).stdout == theirs)
        try OpenSSL.run(["rehash", dir.path])
        #expect(TrustFixtures.links(dir.path)[theirs.trimmingCharacters(in: .newlines) + ".r0"] == "chunked.crl")
    }

    /// `bundle split` names a certificate with a chunked CN after that CN, and the split
    /// file links as `openssl rehash` links it.
    @Test func bundleSplitReadsChunkedNames() throws {
        let dir = TempDirectory("lenient-bundle")
        let spki = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        let chunked = LenientCase.name(LenientCase.chunks(0x2C, [LenientCase.utf8("Chunked "), LenientCase.utf8("Root")]))
        let plain = TestDER.name([[("2.5.4.3", 0x0C, Array("Plain Root".utf8))]])
        try dir.write("bundle.pem", [chunked, plain].enumerated().map { index, subject in
            PEMScanner.encode(TestCertificate.der(subject: subject, spki: spki, serial: UInt64(index + 1)), label: "CERTIFICATE")
        }.joined())
        let split = try MailTLSBinary.run(["bundle", "split", "bundle.pem", "--into", "CA"], in: dir.path)
        #expect(split.status == 0, "\(split.stderr)")
        let files = dir.listing(of: "CA").filter { $0.hasSuffix(".pem") }
        #expect(files.count == 2 && files.contains { $0.hasPrefix("Chunked_Root_") }, "\(files)")
        let theirs = TempDirectory("lenient-bundle-openssl")
        for file in files { try theirs.write(file, try dir.read("CA/" + file)) }
        try OpenSSL.run(["rehash", theirs.path])
        let openssl = TrustFixtures.links(theirs.path)
        #expect(openssl.count == 2 && TrustFixtures.links(dir.file("CA")) == openssl)
    }

    /// A certificate made by `openssl req`, its CN rewritten in chunked form (and, in a
    /// second file, its outer SEQUENCE given a long-form length): `show` prints the
    /// subject OpenSSL prints, `fingerprint` the digest `openssl x509 -fingerprint` prints
    /// (of the certificate as OpenSSL keeps it, which re-encodes the outer frame).
    @Test func showAndFingerprintFollowOpenSSL() throws {
        let dir = TempDirectory("lenient-show")
        try OpenSSL.expectSuccess(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                   "-keyout", dir.file("k.pem"), "-subj", "/C=US/O=Example Org/CN=abc", "-days", "30",
                                   "-outform", "DER", "-out", dir.file("c.der")])
        let original = try dir.bytes("c.der")
        let chunkedCN = LenientBytes.hex("2c 80 0c 02 6162 0c 01 63 00 00")
        let chunked = try LenientBytes.replacingCommonName(in: original, with: chunkedCN)
        let framed = LenientBytes.tlv([0x30], Array(chunked[4...]), .long(3))   // 30 82 xx xx → 30 83 00 xx xx
        #expect(chunked[1] == 0x82)
        var fingerprints: [String] = []
        for (name, der) in [("chunked", chunked), ("framed", framed)] {
            let path = dir.file(name + ".pem")
            try dir.write(name + ".pem", PEMScanner.encode(der, label: "CERTIFICATE"))
            let subject = try OpenSSL.expectSuccess(["x509", "-noout", "-subject", "-nameopt", "oneline", "-in", path])
            #expect(subject == "subject=C = US, O = Example Org, CN = abc\n")
            let show = try MailTLSBinary.run(["show", path])
            #expect(show.status == 0, "\(show.stderr)")
            #expect(show.stdout.contains("C = US, O = Example Org, CN = abc"), "\(show.stdout)")
            let theirs = try OpenSSL.expectSuccess(["x509", "-noout", "-fingerprint", "-sha256", "-in", path])
            fingerprints.append(theirs)
            let ours = try MailTLSBinary.run(["fingerprint", path])
            #expect(ours.stdout.contains(theirs.trimmingCharacters(in: .newlines)), "ours \(ours.stdout) openssl \(theirs)")
            #expect(try MailTLSBinary.run(["hash", path]).stdout == (try OpenSSL.expectSuccess(["x509", "-hash", "-noout", "-in", path])))
        }
        // OpenSSL fingerprints the framed copy as the chunked one (the outer frame re-encoded,
        // the signed part as received), not by the digest of the framed file's bytes.
        #expect(fingerprints.count == 2 && fingerprints[0] == fingerprints[1])
        #expect(!fingerprints[1].contains(Hex.colonUpper(Array(SHA256.hash(data: framed)))))
    }
}
