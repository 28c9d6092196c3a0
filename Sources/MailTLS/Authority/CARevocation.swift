#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `mailtls ca revoke`: marks a certificate revoked in the index.
public enum CARevocation {
    public static func revoke(_ ca: inout CertificateAuthority, serial: String, reason: RevocationReason,
                              now: Date = Date()) throws -> CAIndex.Entry {
        guard let position = ca.index.entries.firstIndex(where: { $0.serial == serial }) else {
            throw MailTLSError(serial, "is not a serial in \(ca.layout.indexPath)", remedy: "see the serials with mailtls ca list")
        }
        guard ca.index.entries[position].status == .valid else {
            throw MailTLSError("serial \(serial)", "is already revoked", remedy: "nothing to do; mailtls ca crl rewrites the CRL")
        }
        ca.index.entries[position].status = .revoked
        ca.index.entries[position].revokedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        ca.index.entries[position].reason = reason
        try ca.index.save(ca.layout)
        return ca.index.entries[position]
    }
}
