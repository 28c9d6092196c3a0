import Foundation
import MailTLS
import X509

/// The chain an ACME CA returned (leaf first), checked before anything is deployed: it
/// parses, its leaf is for our key and names every name asked for.
struct IssuedChain {
    let leaf: Certificate
    let leafPEM: String
    let issuers: [Certificate]
    /// Each CA certificate above the leaf, as DER and PEM.
    let issuerFiles: [(der: [UInt8], pem: String)]
    let issuersPEM: String

    init(pem: String, server: String, key: Certificate.PrivateKey, names: [String]) throws {
        let file: MaterialFile
        do {
            file = try MaterialFile.parse(Array(pem.utf8), path: server)
        } catch {
            throw MailTLSError(server, "sent a certificate chain mailtls cannot read", remedy: "try again later; the certificate in service was not touched")
        }
        let certificates = file.certificates
        guard let first = certificates.first else {
            throw MailTLSError(server, "sent no certificate", remedy: "try again later; the certificate in service was not touched")
        }
        guard first.certificate.publicKey == key.publicKey else {
            throw MailTLSError(server, "issued a certificate for another key", remedy: "report this to the CA; the certificate in service was not touched")
        }
        let covered = Set((try? first.certificate.extensions.subjectAlternativeNames).map { Array($0) }?
            .compactMap { name -> String? in if case .dnsName(let dns) = name { return dns.lowercased() }; return nil } ?? [])
        let missing = names.filter { !covered.contains($0) }
        guard missing.isEmpty else {
            throw MailTLSError(server, "issued a certificate without \(missing.joined(separator: ", "))", remedy: "report this to the CA; the certificate in service was not touched")
        }
        leaf = first.certificate
        leafPEM = Self.pem(first.der)
        issuers = certificates.dropFirst().map(\.certificate)
        issuerFiles = certificates.dropFirst().map { ($0.der, Self.pem($0.der)) }
        issuersPEM = issuerFiles.map(\.pem).joined()
    }

    var serialText: String { Hex.lower(Array(leaf.serialNumber.bytes)) }

    private static func pem(_ der: [UInt8]) -> String {
        PEMScanner.encode(der, label: "CERTIFICATE")
    }

    /// host.cert (the leaf), chain.pem (the CAs above it), fullchain.pem (both), by `layout`'s names.
    func write(to layout: CertsLayout) throws {
        try AtomicFile.write(leafPEM, to: layout.certificatePath, mode: .shared, existing: .replace, durable: false)
        try AtomicFile.write(issuersPEM, to: layout.chainPath, mode: .shared, existing: .replace, durable: false)
        try AtomicFile.write(leafPEM + issuersPEM, to: layout.fullChainPath, mode: .shared, existing: .replace, durable: false)
        AtomicFile.flushAll()
    }
}
