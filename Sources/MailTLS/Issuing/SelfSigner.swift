#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// Self-signed server certificates, as `make self` made them, with the extensions modern
/// peers check (SAN, EKU, key identifiers) and a random serial.
public enum SelfSigner {
    /// A certificate for `key` naming `subject` and `altNames` (plus the CN), valid `days`
    /// days from `now`.
    public static func make(subject: DistinguishedName, altNames: SubjectAltNames, key: Certificate.PrivateKey,
                            days: Int, now: Date = Date()) throws -> Certificate {
        try checkDays(days)
        var names = altNames
        if let commonName = NameFormatter.commonName(subject) { names.addCommonName(commonName) }
        let start = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let keyID = KeyIdentifier.of(key.publicKey)
        return try Certificate(
            version: .v3,
            serialNumber: SerialNumbers.random(),
            publicKey: key.publicKey,
            notValidBefore: start,
            notValidAfter: start.addingTimeInterval(Double(days) * 86_400),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: SignatureChoice.algorithm(for: key.publicKey),
            extensions: try LeafProfile.serverClient.extensions(publicKey: key.publicKey, altNames: names, authorityKeyID: keyID),
            issuerPrivateKey: key)
    }

    /// Refuses a validity mailtls does not issue, before any key is made.
    public static func checkDays(_ days: Int) throws {
        guard (1...36500).contains(days) else {
            throw MailTLSError("--days \(days)", "is out of range", remedy: "give a number of days from 1 to 36500")
        }
    }
}
