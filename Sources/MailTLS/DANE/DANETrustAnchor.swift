#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import X509

/// The trust anchor a `2 0 0` or `2 1 0` TLSA record holds in full, as certificates the
/// chain verifier can use as roots (RFC 7671 §5.2.2: the server need not send it).
///
/// `2 0 0` holds the anchor's certificate. `2 1 0` holds only its public key: that key
/// is wrapped in a stand-in CA certificate for each issuer name in the presented chain,
/// since the verifier finds issuers by name and then checks the signature with the key. The
/// stand-in's own signature (made with a throw-away key) is never checked: a root's is not.
enum DANETrustAnchor {
    static func certificates(from record: TLSARecord, issuing presented: [Certificate]) -> [Certificate] {
        guard record.usage == .daneTA, record.matchingType == .full else { return [] }
        if record.selector == .certificate {
            return (try? Certificate(derEncoded: record.data)).map { [$0] } ?? []
        }
        guard let key = try? Certificate.PublicKey(derEncoded: record.data) else { return [] }
        var names: [DistinguishedName] = []
        for certificate in presented where !names.contains(certificate.issuer) { names.append(certificate.issuer) }
        return names.compactMap { standIn(key: key, name: $0) }
    }

    private static func standIn(key: Certificate.PublicKey, name: DistinguishedName) -> Certificate? {
        let signer = Certificate.PrivateKey(P256.Signing.PrivateKey())
        return try? Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key,
            notValidBefore: Date(timeIntervalSince1970: 0), notValidAfter: Date(timeIntervalSince1970: 253_402_300_799),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil)) },
            issuerPrivateKey: signer)
    }
}
