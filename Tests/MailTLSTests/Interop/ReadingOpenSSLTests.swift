import Testing
import Foundation
@testable import MailTLS

/// Everything OpenSSL writes must be read, and read right: the public key mailtls sees
/// in a file must be the one `openssl pkey -pubout` sees (compared by SPKI SHA-256).
@Suite("Interop: reading what openssl writes")
struct ReadingOpenSSLTests {
    /// openssl commands that make a private key in `key.pem`, one per form admins meet.
    static let keyMakers: [(String, [[String]])] = [
        ("genrsa (PKCS#8)", [["genrsa", "-out", "key.pem", "2048"]]),
        ("genrsa -traditional (PKCS#1)", [["genrsa", "-traditional", "-out", "key.pem", "2048"]]),
        ("genpkey RSA", [["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"]]),
        ("genpkey EC P-256", [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem"]]),
        ("genpkey EC P-384", [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "key.pem"]]),
        ("genpkey Ed25519", [["genpkey", "-algorithm", "ED25519", "-out", "key.pem"]]),
        ("ecparam -genkey (SEC1 with EC PARAMETERS)", [["ecparam", "-name", "prime256v1", "-genkey", "-out", "key.pem"]]),
        ("ecparam -genkey -noout (SEC1)", [["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "key.pem"]]),
        ("pkey -traditional EC (SEC1)", [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k8.pem"],
                                         ["pkey", "-in", "k8.pem", "-traditional", "-out", "key.pem"]]),
        ("DER PKCS#8", [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-outform", "DER", "-out", "key.pem"]]),
    ]

    @Test("keys made by openssl are read with the same public key", arguments: keyMakers)
    func readsKey(_ label: String, _ commands: [[String]]) throws {
        let dir = TempDirectory()
        for command in commands { try OpenSSL.expectSuccess(command, in: dir.path) }
        let key = try MaterialFile.load(dir.file("key.pem")).privateKey()
        let inform = label.hasPrefix("DER") ? ["-inform", "DER"] : []
        try OpenSSL.expectSuccess(["pkey", "-in", "key.pem"] + inform + ["-pubout", "-outform", "DER", "-out", "pub.der"], in: dir.path)
        #expect(key.publicKey.spkiDER == (try dir.bytes("pub.der")), "\(label)")
    }

    @Test("CSRs and certificates made by openssl req are read, with their names")
    func readsRequestAndCertificate() throws {
        let dir = TempDirectory()
        try OpenSSL.expectSuccess(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "r.csr",
                                   "-subj", "/C=DE/O=Beispiel GmbH/CN=mx.example.de", "-addext", "subjectAltName=DNS:mx.example.de,IP:192.0.2.25"],
                                  in: dir.path)
        try OpenSSL.expectSuccess(["req", "-x509", "-key", "k.pem", "-in", "r.csr", "-out", "c.pem", "-days", "30", "-copy_extensions", "copy"],
                                  in: dir.path)
        let request = try MaterialFile.load(dir.file("r.csr")).request().request
        #expect(NameFormatter.oneLine(request.subject) == "C = DE, O = Beispiel GmbH, CN = mx.example.de")
        #expect(RequestMaker.hasValidSignature(request))
        #expect(RequestMaker.requestedAltNames(request).names.map(SubjectAltNames.describe) == ["DNS:mx.example.de", "IP Address:192.0.2.25"])
        let summary = Summary.of(try MaterialFile.load(dir.file("c.pem")))[0]
        let opensslSubject = try OpenSSL.expectSuccess(["x509", "-in", "c.pem", "-noout", "-subject"], in: dir.path)
        #expect("subject=" + summary.subject! + "\n" == opensslSubject)
        #expect(summary.altNames == ["DNS:mx.example.de", "IP Address:192.0.2.25"])
        #expect(summary.key == "RSA 2048")
        let key = try MaterialFile.load(dir.file("k.pem")).privateKey()
        #expect(key.publicKey == request.publicKey)
    }

    @Test("a chain file and a cert+key file are read in order")
    func readsMultiBlockFiles() throws {
        let dir = TempDirectory()
        try OpenSSL.expectSuccess(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k.pem",
                                   "-out", "c.pem", "-subj", "/CN=one", "-days", "2"], in: dir.path)
        try OpenSSL.expectSuccess(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "k2.pem",
                                   "-out", "c2.pem", "-subj", "/CN=two", "-days", "2"], in: dir.path)
        try dir.write("chain.pem", "# leaf\n" + dir.read("c.pem") + "some text between blocks\n" + dir.read("c2.pem"))
        try dir.write("both.pem", dir.read("c.pem") + dir.read("k.pem"))
        let chain = try MaterialFile.load(dir.file("chain.pem"))
        #expect(chain.certificates.map { NameFormatter.oneLine($0.certificate.subject) } == ["CN = one", "CN = two"])
        let both = try MaterialFile.load(dir.file("both.pem"))
        #expect(try both.privateKey().publicKey == both.firstCertificate().certificate.publicKey)
    }
}
