import Foundation
import Testing
@testable import MailTLS

/// Certificates and chains for the DANE suites.
enum DANEFixtures {
    /// A self-signed host.key/host.cert for mail.example.org in `directory`.
    @discardableResult
    static func selfSigned(_ directory: String, algorithm: KeyAlgorithm = .ecdsaP256, stem: String = "host",
                           subject: String = "/CN=mail.example.org") throws -> CertsLayout {
        let layout = CertsLayout(directory: directory, stem: stem)
        _ = try SelfSignedWriter.write(layout, source: .subject(try SubjectParser.parse(subject), SubjectAltNames()),
                                       days: 30, keyOptions: KeyOptions(algorithm: algorithm), force: false)
        return layout
    }

    /// A CA in `dir/ca` and a server certificate it signed in `dir/certs` (host.cert, chain.pem,
    /// fullchain.pem), as `mailtls ca init` and `mailtls ca sign` make them.
    static func caChain(_ dir: TempDirectory, host: String = "mail.example.org") throws -> (ca: CALayout, certs: CertsLayout) {
        try caChain(directory: dir.path, host: host)
    }

    /// `caChain` into `directory` (a root-only one, for servers that check their files).
    static func caChain(directory: String, host: String) throws -> (ca: CALayout, certs: CertsLayout) {
        let ca = CALayout(directory: directory + "/ca")
        _ = try CAInit.run(ca, options: .init(subject: try SubjectParser.parse("/O=Example/CN=Example Mail CA"),
                                              key: KeyOptions(algorithm: .ecdsaP256), days: 3650, nameConstraints: []))
        let certs = CertsLayout(directory: directory + "/certs")
        _ = try RequestWriter.write(certs, subject: try SubjectParser.parse("/CN=\(host)"), altNames: SubjectAltNames(),
                                    keyOptions: KeyOptions(algorithm: .ecdsaP256), force: false)
        var authority = try CertificateAuthority.open(ca)
        let proposal = try CASigning.propose(authority, requestPath: certs.requestPath, profile: .serverClient, days: 397,
                                             output: certs, allowDuplicate: false)
        _ = try CASigning.sign(&authority, proposal, force: false)
        return (ca, certs)
    }

    static func chain(_ path: String) throws -> [PresentedCertificate] {
        try MaterialFile.load(path).certificates.map { PresentedCertificate(certificate: $0.certificate, der: $0.der) }
    }

    /// The hex digest openssl prints for a shell pipeline ending in `openssl dgst`.
    static func opensslDigest(_ pipeline: String, in directory: String) throws -> String {
        let result = try run("/bin/sh", ["-c", pipeline], in: directory)
        #expect(result.status == 0, "\(pipeline): \(result.stderr)")
        // OpenSSL 3: `SHA2-256(stdin)= 0a1b…`; 1.1: `(stdin)= 0a1b…`
        return String(result.stdout.split(separator: " ").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
