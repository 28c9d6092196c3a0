import Crypto
import Foundation
import Testing
@testable import MailTLS

/// `mailtls hash` prints what `openssl x509 -hash -noout` prints, and refuses what OpenSSL refuses.
@Suite struct SubjectHashCLITests {
    @Test func printsTheBareHashLikeOpenSSL() throws {
        for name in ["tricky/c06.pem", "tricky/c24.pem", "cabundle/ca042.pem"] {
            let path = Fixtures.path("subject-hash/" + name)
            let ours = try MailTLSBinary.run(["hash", path])
            let theirs = try OpenSSL.expectSuccess(["x509", "-hash", "-noout", "-in", path])
            #expect(ours.status == 0 && ours.stdout == theirs)
            let old = try MailTLSBinary.run(["hash", "--old", path])
            #expect(old.stdout == (try OpenSSL.expectSuccess(["x509", "-subject_hash_old", "-noout", "-in", path])))
        }
    }

    @Test func readsStandardInputAndDERAndListsSeveral() throws {
        let dir = TempDirectory("hash-cli")
        let c06 = Fixtures.path("subject-hash/tricky/c06.pem")
        try OpenSSL.expectSuccess(["x509", "-in", c06, "-outform", "DER", "-out", dir.file("c06.der")])
        #expect(try MailTLSBinary.run(["hash", dir.file("c06.der")]).stdout == "7387e3f4\n")
        #expect(try MailTLSBinary.run(["hash"], input: try String(contentsOfFile: c06, encoding: .utf8)).stdout == "7387e3f4\n")
        try dir.write("two.pem", try TrustFixtures.text("subject-hash/tricky/c01.pem") + TrustFixtures.text("subject-hash/tricky/c06.pem"))
        let two = try MailTLSBinary.run(["hash", dir.file("two.pem")])
        #expect(two.stdout == "5e24647f  \(dir.file("two.pem"))[1]  CN = Simple Test\n7387e3f4  \(dir.file("two.pem"))[2]  C = US, ST = California, L = San Francisco, O = \"Example, Inc.\", OU = IT Dept, CN = www.example.com\n")
    }

    @Test func certificateOpenSSLRefusesGetsAnErrorNotAHash() throws {
        let dir = TempDirectory("hash-refused")
        let spki = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        let subject = TestDER.name([[("2.5.4.10", 0x1A, Array("Example".utf8))], [("2.5.4.3", 0x0C, Array("Visible Root".utf8))]])
        try dir.write("visible.pem", PEMScanner.encode(TestCertificate.der(subject: subject, spki: spki, serial: 7), label: "CERTIFICATE"))
        #expect(try OpenSSL.run(["x509", "-hash", "-noout", "-in", dir.file("visible.pem")]).status != 0)
        let result = try MailTLSBinary.run(["hash", dir.file("visible.pem")])
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr.contains("VisibleString"))
    }
}
