import Foundation
import MailTLS
import X509

/// The chain an ACME CA returned (leaf first), checked before anything is deployed: it
/// parses, its leaf is for our key and names every name asked for.
struct IssuedChain {
    let leaf: Certificate
    let leafPEM: String
    /// Each CA certificate above the leaf, as DER and PEM.
    let issuerFiles: [(der: [UInt8], pem: String)]
    /// chain.pem: the CA certificates above the leaf.
    var issuersPEM: String { issuerFiles.map(\.pem).joined() }

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
        var altNames = SubjectAltNames()
        if let names = try? first.certificate.extensions.subjectAlternativeNames { altNames = SubjectAltNames(Array(names)) }
        let covered = Set(altNames.dnsNames.map { $0.lowercased() })
        let missing = names.filter { !covered.contains($0) }
        guard missing.isEmpty else {
            throw MailTLSError(server, "issued a certificate without \(missing.joined(separator: ", "))", remedy: "report this to the CA; the certificate in service was not touched")
        }
        leaf = first.certificate
        leafPEM = Self.pem(first.der)
        issuerFiles = certificates.dropFirst().map { ($0.der, Self.pem($0.der)) }
    }

    var serialText: String { Hex.lower(Array(leaf.serialNumber.bytes)) }

    private static func pem(_ der: [UInt8]) -> String {
        PEMScanner.encode(der, label: "CERTIFICATE")
    }

    /// The files `write(to:)` makes in `layout`, for checking they are free before ordering.
    static func paths(in layout: CertsLayout) -> [String] {
        [layout.certificatePath, layout.chainPath, layout.fullChainPath]
    }

    /// host.cert (the leaf), chain.pem (the CAs above it), fullchain.pem (both), by `layout`'s
    /// names, through `FileInstaller`: an existing file is replaced only with `force`, and then
    /// kept as a dated backup.
    func write(to layout: CertsLayout, force: Bool, now: Date) throws {
        for (text, path) in zip([leafPEM, issuersPEM, leafPEM + issuersPEM], Self.paths(in: layout)) {
            _ = try FileInstaller.install(text, at: path, kind: "certificate", mode: .shared, force: force, now: now, durable: false)
        }
        AtomicFile.flushAll()
    }
}
