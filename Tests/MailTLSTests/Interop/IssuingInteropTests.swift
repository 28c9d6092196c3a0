import Testing
import Foundation
@testable import MailTLS

/// Requests and self-signed certificates mailtls writes must be accepted by OpenSSL
/// (`req -verify`, `verify -CAfile`) and show the extensions asked for in `-text`.
@Suite("Interop: requests and certificates")
struct IssuingInteropTests {
    static let subject = "/C=US/ST=California/L=San Francisco/O=Example Mail/OU=Postmaster/CN=mail.example.org/emailAddress=postmaster@example.org"

    @Test("openssl req -verify accepts the CSR, with subject and SAN", arguments: KeyAlgorithm.allCases)
    func requestVerifies(_ algorithm: KeyAlgorithm) throws {
        let dir = TempDirectory()
        let layout = CertsLayout(directory: dir.path)
        let written = try RequestWriter.write(layout, subject: try SubjectParser.parse(Self.subject),
                                              altNames: try SubjectAltNames(parsing: ["DNS:smtp.example.org", "IP:192.0.2.25"]),
                                              keyOptions: KeyOptions(algorithm: algorithm), force: false)
        #expect(written.map(\.kind) == ["key", "request"], "the missing key is made first")
        #expect(dir.mode("host.csr") == 0o644)
        let verify = try OpenSSL.run(["req", "-in", layout.requestPath, "-verify", "-noout"])
        #expect(verify.status == 0)
        #expect(verify.stderr.contains("verify OK") || verify.stdout.contains("verify OK"))
        let subject = try OpenSSL.expectSuccess(["req", "-in", layout.requestPath, "-noout", "-subject", "-nameopt", "compat"])
        #expect(subject == "subject=\(Self.subject)\n")
        let text = try OpenSSL.expectSuccess(["req", "-in", layout.requestPath, "-noout", "-text"])
        #expect(text.contains("DNS:smtp.example.org, IP Address:192.0.2.25, DNS:mail.example.org"))
        #expect(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"))
        // The CSR belongs to the key on disk.
        let csrKey = try OpenSSL.expectSuccess(["req", "-in", layout.requestPath, "-noout", "-pubkey"])
        let fileKey = try OpenSSL.expectSuccess(["pkey", "-in", layout.keyPath, "-pubout"])
        #expect(csrKey == fileKey)
    }

    @Test("openssl verify accepts the self-signed certificate, with its extensions", arguments: KeyAlgorithm.allCases)
    func selfSignedVerifies(_ algorithm: KeyAlgorithm) throws {
        let dir = TempDirectory()
        let layout = CertsLayout(directory: dir.path)
        _ = try SelfSignedWriter.write(layout, source: .subject(try SubjectParser.parse("CN=mail.example.org,O=Example"),
                                                                  try SubjectAltNames(parsing: ["smtp.example.org"])),
                                       days: 30, keyOptions: KeyOptions(algorithm: algorithm), force: false)
        #expect(dir.mode("host.cert") == 0o644)
        let verify = try OpenSSL.run(["verify", "-CAfile", layout.certificatePath, "-purpose", "sslserver", layout.certificatePath])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let client = try OpenSSL.run(["verify", "-CAfile", layout.certificatePath, "-purpose", "sslclient", layout.certificatePath])
        #expect(client.status == 0, "\(client.stdout)\(client.stderr)")
        let text = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-text"])
        #expect(text.contains("Version: 3 (0x2)"))
        #expect(text.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(text.contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication, TLS Web Client Authentication"))
        #expect(text.contains("DNS:smtp.example.org, DNS:mail.example.org"))
        #expect(text.contains("X509v3 Subject Key Identifier"))
        #expect(text.contains("X509v3 Authority Key Identifier"))
        let usage = algorithm == .rsa ? "Digital Signature, Key Encipherment" : "Digital Signature"
        #expect(text.contains("X509v3 Key Usage: critical\n                \(usage)\n"))
        let subject = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-subject"])
        #expect(subject == "subject=O = Example, CN = mail.example.org\n", "RFC 4514 order is most specific first")
        // The key matches the certificate, and the SKI is OpenSSL's own computation.
        let certKey = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-pubkey"])
        #expect(certKey == (try OpenSSL.expectSuccess(["pkey", "-in", layout.keyPath, "-pubout"])))
        try OpenSSL.expectSuccess(["req", "-new", "-x509", "-key", layout.keyPath, "-subj", "/CN=x", "-out", dir.file("ref.pem")])
        let ours = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-ext", "subjectKeyIdentifier"])
        let theirs = try OpenSSL.expectSuccess(["x509", "-in", dir.file("ref.pem"), "-noout", "-ext", "subjectKeyIdentifier"])
        #expect(ours == theirs)
    }

    @Test("validity and serial: --days counted from now, 128-bit positive random serial")
    func validityAndSerial() throws {
        let dir = TempDirectory()
        let layout = CertsLayout(directory: dir.path)
        let now = Date(timeIntervalSince1970: 1_800_000_000) // 2027-01-15 08:00:00 UTC; 730 days span leap day 2028-02-29
        _ = try SelfSignedWriter.write(layout, source: .subject(try SubjectParser.parse("/CN=mail.example.org"), SubjectAltNames()),
                                       days: 730, keyOptions: KeyOptions(algorithm: .ecdsaP256), force: false, now: now)
        let dates = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-startdate", "-enddate"])
        #expect(dates == "notBefore=Jan 15 08:00:00 2027 GMT\nnotAfter=Jan 14 08:00:00 2029 GMT\n")
        let serial = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-serial"])
        #expect(serial.hasPrefix("serial=") && serial.count == "serial=".count + 32 + 1)
        let firstByte = Int(String(serial.dropFirst(7).prefix(2)), radix: 16)!
        #expect((1...0x7F).contains(firstByte), "16 significant bytes, positive")
    }

    @Test("self --csr signs a CSR made by openssl with its own key, keeping its names")
    func selfSignsOpenSSLRequest() throws {
        let dir = TempDirectory()
        try OpenSSL.expectSuccess(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "new.key",
                                   "-out", "new.csr", "-subj", "/O=Example/CN=mx2.example.org",
                                   "-addext", "subjectAltName=DNS:mx2.example.org,DNS:mail2.example.org"], in: dir.path)
        let layout = CertsLayout(directory: dir.path, stem: "new")
        _ = try SelfSignedWriter.write(layout, source: .request(path: layout.requestPath, extraNames: SubjectAltNames()),
                                       days: 90, keyOptions: KeyOptions(), force: false)
        try OpenSSL.expectSuccess(["verify", "-CAfile", layout.certificatePath, layout.certificatePath])
        let text = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-subject", "-ext", "subjectAltName"])
        #expect(text.contains("subject=O = Example, CN = mx2.example.org"))
        #expect(text.contains("DNS:mx2.example.org, DNS:mail2.example.org"))
        let full = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-text"])
        #expect(full.contains("Signature Algorithm: ecdsa-with-SHA384"), "P-384 keys sign with SHA-384, as OpenSSL does")
    }

    @Test("fingerprints equal openssl x509 -fingerprint for each digest", arguments: DigestAlgorithm.allCases)
    func fingerprintsMatch(_ digest: DigestAlgorithm) throws {
        let dir = TempDirectory()
        let layout = CertsLayout(directory: dir.path)
        _ = try SelfSignedWriter.write(layout, source: .subject(try SubjectParser.parse("/CN=mail.example.org"), SubjectAltNames()),
                                       days: 10, keyOptions: KeyOptions(algorithm: .ecdsaP256), force: false)
        let ours = Fingerprint.all(in: try MaterialFile.load(layout.certificatePath), algorithms: [digest])[0].line(digest)
        let theirs = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-fingerprint", "-\(digest.rawValue)"])
        #expect(ours + "\n" == theirs)
        // The CLI prints exactly openssl's line, so it can be pasted and compared.
        let cli = try MailTLSBinary.run(["fingerprint", "--\(digest.rawValue)", "--dir", dir.path])
        if digest == .sha256 {
            let plain = try MailTLSBinary.run(["fingerprint", "--dir", dir.path])
            #expect(plain.stdout == theirs)
        } else {
            #expect(cli.stdout == theirs)
        }
    }

    @Test("a key's fingerprint is the SHA-256 of its SPKI, as openssl pkey -pubout | dgst gives")
    func keyFingerprint() throws {
        let dir = TempDirectory()
        _ = try KeyMaker.make(CertsLayout(directory: dir.path), options: KeyOptions(), force: false)
        try OpenSSL.expectSuccess(["pkey", "-in", "host.key", "-pubout", "-outform", "DER", "-out", "pub.der"], in: dir.path)
        let digest = try OpenSSL.expectSuccess(["dgst", "-sha256", "-c", "pub.der"], in: dir.path)
        let expected = String(digest.split(separator: " ").last!).uppercased().trimmingCharacters(in: .whitespacesAndNewlines)
        let line = Fingerprint.all(in: try MaterialFile.load(dir.file("host.key")), algorithms: [.sha256])[0].line(.sha256)
        #expect(line == "sha256 Public Key Fingerprint=\(expected)")
    }

    @Test("fingerprint of a bundle prints one line per certificate with its subject")
    func bundleFingerprints() throws {
        let dir = TempDirectory()
        for name in ["a", "b", "c"] {
            try OpenSSL.expectSuccess(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                                       "-out", "\(name).pem", "-subj", "/CN=\(name).example", "-days", "2"], in: dir.path)
        }
        try dir.write("bundle.pem", try dir.read("a.pem") + dir.read("b.pem") + dir.read("c.pem"))
        let result = try MailTLSBinary.run(["fingerprint", "bundle.pem"], in: dir.path)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for (index, name) in ["a", "b", "c"].enumerated() {
            let theirs = try OpenSSL.expectSuccess(["x509", "-in", "\(name).pem", "-noout", "-fingerprint", "-sha256"], in: dir.path)
            #expect(lines[index] == "bundle.pem[\(index + 1)]: \(theirs.dropLast())  CN = \(name).example")
        }
    }
}
