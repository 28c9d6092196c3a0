#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls ca renew`: a new certificate for the same key, subject, names and profile, so
/// DANE `3 1 1` records (which hash the key) stay valid across the renewal.
public enum CARenewal {
    /// Finds the index entry for `reference`: a serial number, or a certificate file.
    public static func find(_ ca: CertificateAuthority, _ reference: String) throws -> CAIndex.Entry {
        if FileReading.exists(reference) {
            let (certificate, _) = try MaterialFile.load(reference).firstCertificate()
            let serial = Hex.lower(certificate.serialNumber.bytes)
            guard certificate.issuer == ca.certificate.subject, let entry = ca.index.entry(serial: serial) else {
                throw MailTLSError(reference, "was not issued by the CA in \(ca.layout.directory)", remedy: "give a certificate this CA issued, or its serial (mailtls ca list)")
            }
            return entry
        }
        guard let entry = ca.index.entry(serial: reference) else {
            throw MailTLSError(reference, "is neither a file nor a serial in \(ca.layout.indexPath)", remedy: "see the serials with mailtls ca list")
        }
        return entry
    }

    public static func renew(_ ca: inout CertificateAuthority, entry: CAIndex.Entry, days: Int, output: CertsLayout,
                             force: Bool, now: Date = Date()) throws -> (entry: CAIndex.Entry, written: [WrittenFile]) {
        guard entry.status == .valid else {
            throw MailTLSError("serial \(entry.serial)", "was revoked (\(entry.reason?.rawValue ?? "unspecified"))",
                               remedy: "a revoked certificate's key must not be reused; sign a new request instead")
        }
        let old = try MaterialFile.parse(Array(entry.certificate.utf8), path: ca.layout.indexPath).firstCertificate().certificate
        let names = SubjectAltNames(((try? old.extensions.subjectAlternativeNames) ?? nil).map { Array($0) } ?? [])
        try CASigning.checkPolicy(ca, subject: old.subject, publicKey: old.publicKey, names: names, source: "serial \(entry.serial)",
                                  allowDuplicate: true, now: now)
        let proposal = CASigning.Proposal(subject: old.subject, publicKey: old.publicKey, names: names, profile: entry.profile,
                                          days: days, output: output)
        return try CASigning.sign(&ca, proposal, force: force, now: now)
    }
}
