import Testing
import Foundation
@testable import MailTLS

/// The private CA against the openssl CLI: what it signs verifies for the right purposes and
/// names, its CRL verifies and makes openssl reject a revoked certificate.
@Suite("Interop: private CA")
struct CAInteropTests {
    /// A CA in `dir/ca` limited to example.org, and a request for mail.example.org in `dir/certs`.
    func makeCA(_ dir: TempDirectory, algorithm: KeyAlgorithm = .ecdsaP256) throws -> CALayout {
        let layout = CALayout(directory: dir.file("ca"))
        _ = try CAInit.run(layout, options: .init(subject: try SubjectParser.parse("/O=Example/CN=Example Mail CA"),
                                                  key: KeyOptions(algorithm: algorithm), days: 3650, nameConstraints: ["example.org"]))
        return layout
    }

    func sign(_ layout: CALayout, request: String, profile: LeafProfile = .serverClient, allowDuplicate: Bool = false,
              out: CertsLayout? = nil) throws -> CAIndex.Entry {
        var ca = try CertificateAuthority.open(layout)
        let output = out ?? CertsLayout(directory: Paths.directory(of: request), stem: Paths.fileName(of: request).replacingOccurrences(of: ".csr", with: ""))
        let proposal = try CASigning.propose(ca, requestPath: request, profile: profile, days: 397, output: output, allowDuplicate: allowDuplicate)
        return try CASigning.sign(&ca, proposal, force: false).entry
    }

    @Test("the CA certificate is what openssl expects of a CA", arguments: [KeyAlgorithm.rsa, .ecdsaP384, .ed25519])
    func caCertificate(_ algorithm: KeyAlgorithm) throws {
        let dir = TempDirectory()
        let layout = try makeCA(dir, algorithm: algorithm)
        #expect(dir.mode("ca/ca.key") == 0o600)
        try OpenSSL.expectSuccess(["verify", "-CAfile", layout.certificatePath, layout.certificatePath])
        let text = try OpenSSL.expectSuccess(["x509", "-in", layout.certificatePath, "-noout", "-text"])
        #expect(text.contains("X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0"))
        #expect(text.contains("X509v3 Key Usage: critical\n                Digital Signature, Certificate Sign, CRL Sign"))
        #expect(text.contains("X509v3 Name Constraints: critical\n                Permitted:\n                  DNS:example.org"))
        try OpenSSL.expectSuccess(["pkey", "-in", layout.keyPath, "-check", "-noout"])
    }

    @Test("a signed server certificate verifies for sslserver and sslclient and the host name")
    func signsOwnRequest() throws {
        let dir = TempDirectory()
        let layout = try makeCA(dir)
        let certs = CertsLayout(directory: dir.file("certs"))
        _ = try RequestWriter.write(certs, subject: try SubjectParser.parse("/CN=mail.example.org"),
                                    altNames: try SubjectAltNames(parsing: ["DNS:smtp.example.org"]), keyOptions: KeyOptions(), force: false)
        let entry = try sign(layout, request: certs.requestPath)
        for purpose in ["sslserver", "sslclient"] {
            let result = try OpenSSL.run(["verify", "-CAfile", layout.certificatePath, "-purpose", purpose,
                                          "-verify_hostname", "smtp.example.org", certs.certificatePath])
            #expect(result.status == 0, "\(purpose): \(result.stdout)\(result.stderr)")
        }
        let wrongName = try OpenSSL.run(["verify", "-CAfile", layout.certificatePath, "-verify_hostname", "other.example.org", certs.certificatePath])
        #expect(wrongName.status != 0)
        // fullchain.pem is leaf then CA; chain.pem is the CA; issued/ has a copy.
        let full = try MaterialFile.load(certs.fullChainPath).certificates.map(\.der)
        let leaf = try MaterialFile.load(certs.certificatePath).certificates.map(\.der)
        let caDER = try MaterialFile.load(layout.certificatePath).certificates.map(\.der)
        #expect(full == leaf + caDER)
        #expect(try MaterialFile.load(certs.chainPath).certificates.map(\.der) == caDER)
        #expect(try MaterialFile.load(layout.issuedPath(serial: entry.serial)).certificates.map(\.der) == leaf)
        let text = try OpenSSL.expectSuccess(["x509", "-in", certs.certificatePath, "-noout", "-text"])
        #expect(text.contains("DNS:smtp.example.org, DNS:mail.example.org"))
        #expect(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"))
        #expect(text.contains("CA:FALSE"))
        let serial = try OpenSSL.expectSuccess(["x509", "-in", certs.certificatePath, "-noout", "-serial"])
        #expect(CAIndex.normalizedSerial(String(serial.dropFirst(7).dropLast())) == entry.serial)
    }

    @Test("profiles set the extended key usage openssl checks", arguments: [(LeafProfile.server, "sslclient"), (.client, "sslserver")])
    func profiles(_ profile: LeafProfile, _ refusedPurpose: String) throws {
        let dir = TempDirectory()
        let layout = try makeCA(dir)
        try OpenSSL.expectSuccess(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "r.key",
                                   "-out", "r.csr", "-subj", "/CN=relay.example.org"], in: dir.path)
        _ = try sign(layout, request: dir.file("r.csr"), profile: profile)
        let allowed = refusedPurpose == "sslserver" ? "sslclient" : "sslserver"
        #expect(try OpenSSL.run(["verify", "-CAfile", layout.certificatePath, "-purpose", allowed, dir.file("r.cert")]).status == 0)
        #expect(try OpenSSL.run(["verify", "-CAfile", layout.certificatePath, "-purpose", refusedPurpose, dir.file("r.cert")]).status != 0)
    }

    @Test("refuses names outside the constraints, weak keys, duplicates, bad signatures — writing nothing")
    func refusals() throws {
        let dir = TempDirectory()
        let layout = try makeCA(dir)
        try OpenSSL.expectSuccess(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "o.key",
                                   "-out", "outside.csr", "-subj", "/CN=mail.example.net"], in: dir.path)
        try OpenSSL.expectSuccess(["req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", "w.key",
                                   "-out", "weak.csr", "-subj", "/CN=weak.example.org"], in: dir.path)
        try OpenSSL.expectSuccess(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "d.key",
                                   "-out", "dup.csr", "-subj", "/CN=dup.example.org"], in: dir.path)
        _ = try sign(layout, request: dir.file("dup.csr"))
        try FileManager.default.copyItem(atPath: dir.file("dup.csr"), toPath: dir.file("dup2.csr"))
        let index = try dir.bytes("ca/index.json")
        let cases = [("outside.csr", "outside this CA's name constraints"), ("weak.csr", "RSA key smaller than 2048 bits"),
                     ("dup2.csr", "already has a valid certificate")]
        for (file, message) in cases {
            let before = dir.snapshot()
            #expect {
                _ = try sign(layout, request: dir.file(file))
            } throws: { error in
                (error as? MailTLSError)?.description.contains(message) == true
            }
            #expect(dir.snapshot() == before, "\(file)")
        }
        #expect(try dir.bytes("ca/index.json") == index)
        _ = try sign(layout, request: dir.file("dup2.csr"), allowDuplicate: true)
        #expect(try CAIndex.load(layout).entries.count == 2)
    }

    @Test("revocation: openssl crl -verify accepts the CRL, verify -crl_check rejects the revoked certificate")
    func revocation() throws {
        let dir = TempDirectory()
        let layout = try makeCA(dir, algorithm: .rsa)
        for name in ["a", "b"] {
            try OpenSSL.expectSuccess(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                                       "-out", "\(name).csr", "-subj", "/CN=\(name).example.org"], in: dir.path)
            _ = try sign(layout, request: dir.file("\(name).csr"))
        }
        var ca = try CertificateAuthority.open(layout)
        let revokedSerial = try CARenewal.find(ca, dir.file("a.cert")).serial
        _ = try CARevocation.revoke(&ca, serial: revokedSerial, reason: .keyCompromise)
        let first = try RevocationList.write(&ca, days: 30)
        #expect(first.number == 1 && first.revoked == 1)
        let check = try OpenSSL.run(["crl", "-in", layout.crlPath, "-CAfile", layout.certificatePath, "-noout"])
        #expect(check.status == 0 && (check.stderr + check.stdout).contains("verify OK"))
        let text = try OpenSSL.expectSuccess(["crl", "-in", layout.crlPath, "-noout", "-text"])
        let listed = text.split(separator: "\n").filter { $0.contains("Serial Number: ") }
            .map { CAIndex.normalizedSerial(String($0.split(separator: " ").last!)) }
        #expect(listed == [revokedSerial], "serials print with a leading zero nibble at times; compare normalized")
        #expect(text.contains("Key Compromise"))
        #expect(text.contains("X509v3 CRL Number: \n                1"))
        let revoked = try OpenSSL.run(["verify", "-crl_check", "-CAfile", layout.certificatePath, "-CRLfile", layout.crlPath, dir.file("a.cert")])
        #expect(revoked.status != 0 && (revoked.stdout + revoked.stderr).contains("certificate revoked"))
        let good = try OpenSSL.run(["verify", "-crl_check", "-CAfile", layout.certificatePath, "-CRLfile", layout.crlPath, dir.file("b.cert")])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(try RevocationList.write(&ca, days: 30).number == 2, "CRL numbers increase")
        // The CRL is linked as HHHHHHHH.r0 by mailtls rehash, exactly as by openssl rehash.
        for name in ["ours", "theirs"] {
            try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: false)
            try FileManager.default.copyItem(atPath: layout.crlPath, toPath: dir.file("\(name)/ca.crl"))
        }
        #expect(try MailTLSBinary.run(["rehash", dir.file("ours")]).status == 0)
        try OpenSSL.expectSuccess(["rehash", dir.file("theirs")])
        let links = dir.listing(of: "ours").filter { $0.contains(".r") }
        #expect(links.count == 1 && links == dir.listing(of: "theirs").filter { $0.contains(".r") })
        // A revoked certificate cannot be renewed.
        #expect(throws: MailTLSError.self) {
            try CARenewal.renew(&ca, entry: try CARenewal.find(ca, revokedSerial), days: 30, output: CertsLayout(directory: dir.path, stem: "x"), force: false)
        }
    }

    @Test("renew keeps the key and names: the same SPKI, a new serial")
    func renewal() throws {
        let dir = TempDirectory()
        let layout = try makeCA(dir)
        let certs = CertsLayout(directory: dir.file("certs"))
        _ = try RequestWriter.write(certs, subject: try SubjectParser.parse("/CN=mail.example.org"), altNames: SubjectAltNames(),
                                    keyOptions: KeyOptions(algorithm: .ecdsaP256), force: false)
        let original = try sign(layout, request: certs.requestPath)
        var ca = try CertificateAuthority.open(layout)
        let (renewed, _) = try CARenewal.renew(&ca, entry: try CARenewal.find(ca, certs.certificatePath), days: 90,
                                               output: certs.with(stem: "new"), force: false)
        #expect(renewed.serial != original.serial && renewed.spkiSHA256 == original.spkiSHA256 && renewed.names == original.names)
        try OpenSSL.expectSuccess(["verify", "-CAfile", layout.certificatePath, dir.file("certs/new.cert")])
        let plan = try Promotion.plan(from: certs.with(stem: "new"), to: certs)
        #expect(plan.keepsKey && plan.moves.map(\.kind) == ["certificate", "chain", "full chain"])
    }
}
