#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509
import SwiftASN1

/// `mailtls ca crl`: a v2 CRL (RFC 5280 section 5) of the CA's revoked certificates, with
/// CRL number and authority key identifier, each entry with its reason. swift-certificates
/// has no CRL type, so it is encoded here with swift-asn1.
public enum RevocationList {
    /// A CRL's next update is 1 to 3650 days ahead; `option` names the option in the error.
    public static func checkDays(_ days: Int, option: String = "--days") throws {
        guard (1...3650).contains(days) else {
            throw MailTLSError("\(option) \(days)", "is out of range", remedy: "give 1 to 3650 days; peers reject a CRL after its next update")
        }
    }

    /// Builds, signs and writes the CRL to `ca.crl`, and advances the CRL number in the index.
    public static func write(_ ca: inout CertificateAuthority, days: Int, now: Date = Date()) throws -> (path: String, number: Int, revoked: Int) {
        try checkDays(days)
        let number = ca.index.nextCRLNumber
        let revoked = ca.index.entries.filter { $0.status == .revoked }
        let der = try encode(ca, revoked: revoked, number: number, thisUpdate: now, nextUpdate: now.addingTimeInterval(Double(days) * 86_400))
        ca.index.nextCRLNumber = number + 1
        try ca.index.save(ca.layout)
        try AtomicFile.write(PEMScanner.encode(der, label: "X509 CRL"), to: ca.layout.crlPath, mode: .shared, existing: .replace)
        return (ca.layout.crlPath, number, revoked.count)
    }

    static func encode(_ ca: CertificateAuthority, revoked: [CAIndex.Entry], number: Int, thisUpdate: Date, nextUpdate: Date) throws -> [UInt8] {
        let algorithm = SignatureChoice.algorithm(for: ca.key.publicKey)
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1) // v2
            try AlgorithmIdentifiers.serialize(algorithm, into: &coder)
            try coder.serialize(ca.certificate.subject)
            try ASN1Time.serialize(thisUpdate, into: &coder)
            try ASN1Time.serialize(nextUpdate, into: &coder)
            if !revoked.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { list in
                    for entry in revoked {
                        let certificate = try MaterialFile.parse(Array(entry.certificate.utf8), path: ca.layout.indexPath).firstCertificate().certificate
                        try list.appendConstructedNode(identifier: .sequence) { item in
                            item.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: certificate.serialNumber.bytes) }
                            try ASN1Time.serialize(entry.revokedAt ?? thisUpdate, into: &item)
                            if let reason = entry.reason, reason != .unspecified {
                                try item.appendConstructedNode(identifier: .sequence) { extensions in
                                    try serializeExtension(oid: [2, 5, 29, 21], critical: false, value: enumerated(reason.code), into: &extensions)
                                }
                            }
                        }
                    }
                }
            }
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { tagged in
                try tagged.appendConstructedNode(identifier: .sequence) { extensions in
                    let aki = try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: ca.keyIdentifier[...]), critical: false)
                    try serializeExtension(oid: aki.oid, critical: false, value: Array(aki.value), into: &extensions)
                    var numberDER = DER.Serializer()
                    try numberDER.serialize(number)
                    try serializeExtension(oid: [2, 5, 29, 20], critical: false, value: numberDER.serializedBytes, into: &extensions)
                }
            }
        }
        let tbsBytes = tbs.serializedBytes
        let signature = try ca.key.sign(bytes: tbsBytes, signatureAlgorithm: algorithm)
        var crl = DER.Serializer()
        try crl.appendConstructedNode(identifier: .sequence) { coder in
            coder.serializeRawBytes(tbsBytes)
            try AlgorithmIdentifiers.serialize(algorithm, into: &coder)
            try coder.serialize(ASN1BitString(bytes: signature.rawRepresentation[...]))
        }
        return crl.serializedBytes
    }

    private static func serializeExtension(oid: ASN1ObjectIdentifier, critical: Bool, value: [UInt8], into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { ext in
            try ext.serialize(oid)
            if critical { try ext.serialize(true) }
            try ext.serialize(ASN1OctetString(contentBytes: value[...]))
        }
    }

    private static func enumerated(_ value: Int) -> [UInt8] {
        [0x0A, 0x01, UInt8(value)]
    }
}

/// AlgorithmIdentifier DER for the signature algorithms mailtls signs with (RFC 5754,
/// RFC 8410: ECDSA and Ed25519 omit parameters, RSA has NULL).
enum AlgorithmIdentifiers {
    static func serialize(_ algorithm: Certificate.SignatureAlgorithm, into coder: inout DER.Serializer) throws {
        let (oid, nullParameters): (ASN1ObjectIdentifier, Bool)
        switch algorithm {
        case .sha256WithRSAEncryption: (oid, nullParameters) = ([1, 2, 840, 113_549, 1, 1, 11], true)
        case .sha384WithRSAEncryption: (oid, nullParameters) = ([1, 2, 840, 113_549, 1, 1, 12], true)
        case .sha512WithRSAEncryption: (oid, nullParameters) = ([1, 2, 840, 113_549, 1, 1, 13], true)
        case .ecdsaWithSHA256: (oid, nullParameters) = ([1, 2, 840, 10045, 4, 3, 2], false)
        case .ecdsaWithSHA384: (oid, nullParameters) = ([1, 2, 840, 10045, 4, 3, 3], false)
        case .ecdsaWithSHA512: (oid, nullParameters) = ([1, 2, 840, 10045, 4, 3, 4], false)
        case .ed25519: (oid, nullParameters) = ([1, 3, 101, 112], false)
        default: throw MailTLSError("signature algorithm", "\(algorithm) is not one mailtls signs with", remedy: "use an RSA, ECDSA or Ed25519 CA key")
        }
        try coder.appendConstructedNode(identifier: .sequence) { sequence in
            try sequence.serialize(oid)
            if nullParameters { try sequence.serialize(ASN1Null()) }
        }
    }
}

/// RFC 5280 times: UTCTime through 2049, GeneralizedTime from 2050.
enum ASN1Time {
    static func serialize(_ date: Date, into coder: inout DER.Serializer) throws {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        if year < 2050 {
            try coder.serialize(try UTCTime(year: year, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                                            hours: Int(parts.tm_hour), minutes: Int(parts.tm_min), seconds: Int(parts.tm_sec)))
        } else {
            try coder.serialize(try GeneralizedTime(year: year, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                                                    hours: Int(parts.tm_hour), minutes: Int(parts.tm_min), seconds: Int(parts.tm_sec),
                                                    fractionalSeconds: 0))
        }
    }
}
