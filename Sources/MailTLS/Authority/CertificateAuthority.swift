#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// A private CA opened from its directory: its key, its certificate and its index.
public struct CertificateAuthority {
    public let layout: CALayout
    public let key: Certificate.PrivateKey
    public let certificate: Certificate
    public var index: CAIndex

    /// Opens the CA in `layout`, checking that its key and certificate belong together.
    public static func open(_ layout: CALayout) throws -> CertificateAuthority {
        guard FileReading.exists(layout.certificatePath) else {
            throw MailTLSError(layout.directory, "is not a mailtls CA directory (no ca.cert)",
                               remedy: "make one with mailtls ca init --dir \(layout.directory), or give the right --ca-dir")
        }
        let certificate = try MaterialFile.load(layout.certificatePath).firstCertificate().certificate
        let key = try MaterialFile.load(layout.keyPath).privateKey()
        guard key.publicKey == certificate.publicKey else {
            throw MailTLSError(layout.keyPath, "does not match \(layout.certificatePath)", remedy: "restore the CA key that belongs to this certificate")
        }
        return CertificateAuthority(layout: layout, key: key, certificate: certificate, index: try CAIndex.load(layout))
    }

    /// The CA's own key identifier, which its certificates name as their authority key.
    public var keyIdentifier: [UInt8] {
        if case .some(.some(let ski)) = try? certificate.extensions.subjectKeyIdentifier { return Array(ski.keyIdentifier) }
        return KeyIdentifier.of(certificate.publicKey)
    }

    /// The DNS subtrees the CA may issue for (empty: any).
    public var permittedDNSDomains: [String] {
        guard case .some(.some(let constraints)) = try? certificate.extensions.nameConstraints else { return [] }
        return Array(constraints.permittedDNSDomains)
    }

    /// A serial number no certificate in the index has.
    func freshSerial() -> Certificate.SerialNumber {
        while true {
            let serial = SerialNumbers.random()
            if index.entry(serial: Hex.lower(serial.bytes)) == nil { return serial }
        }
    }

    /// A certificate the CA issues is valid for 1 to 3650 days.
    public static func checkDays(_ days: Int) throws {
        guard (1...3650).contains(days) else {
            throw MailTLSError("--days \(days)", "is out of range", remedy: "give 1 to 3650 days (public CAs issue at most 397)")
        }
    }

    /// Issues a certificate (not yet recorded: see `record`).
    func issue(subject: DistinguishedName, publicKey: Certificate.PublicKey, names: SubjectAltNames,
               profile: LeafProfile, days: Int, now: Date) throws -> Certificate {
        try Self.checkDays(days)
        let start = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        var notAfter = start.addingTimeInterval(Double(days) * 86_400)
        if notAfter > certificate.notValidAfter { notAfter = certificate.notValidAfter } // never outlive the CA
        return try Certificate(
            version: .v3, serialNumber: freshSerial(), publicKey: publicKey,
            notValidBefore: start, notValidAfter: notAfter,
            issuer: certificate.subject, subject: subject,
            signatureAlgorithm: SignatureChoice.algorithm(for: key.publicKey),
            extensions: try profile.extensions(publicKey: publicKey, altNames: names, authorityKeyID: keyIdentifier),
            issuerPrivateKey: key)
    }

    /// The index entry for a certificate this CA issued.
    func entry(for issued: Certificate, profile: LeafProfile) throws -> CAIndex.Entry {
        let names = ((try? issued.extensions.subjectAlternativeNames) ?? nil).map { Array($0) } ?? []
        return CAIndex.Entry(
            serial: Hex.lower(issued.serialNumber.bytes).droppingLeadingZeros, subject: NameFormatter.oneLine(issued.subject),
            names: names.map(SubjectAltNames.describe), profile: profile,
            notBefore: issued.notValidBefore, notAfter: issued.notValidAfter, status: .valid,
            revokedAt: nil, reason: nil,
            spkiSHA256: Hex.lower(DigestAlgorithm.sha256.digest(issued.publicKey.spkiDER)),
            certificate: try Encoding.pem(issued))
    }
}

extension String {
    var droppingLeadingZeros: String {
        var text = Substring(self)
        while text.count > 1 && text.hasPrefix("0") { text = text.dropFirst() }
        return String(text)
    }
}
