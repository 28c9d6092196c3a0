import X509
import SwiftASN1

/// Names as text for people (bundle comments, file names, reports), from the name's bytes
/// as stored (DER, or BER as OpenSSL reads it, re-encoded as DER for swift-certificates).
enum NameText {
    /// `C = US, O = Example, CN = Example Root`, or a placeholder when swift-certificates
    /// cannot read the name (the hash does not depend on this).
    static func oneLine(nameDER: ArraySlice<UInt8>) -> String {
        guard let name = distinguishedName(nameDER) else { return "(unreadable name)" }
        return name.isEmpty ? "(empty name)" : NameFormatter.oneLine(name)
    }

    /// The most telling value for a file name: CN, else OU, else O, else the whole name.
    static func shortLabel(nameDER: ArraySlice<UInt8>) -> String {
        guard let name = distinguishedName(nameDER) else { return "unnamed" }
        let attributes = name.flatMap { $0 }
        for oid in [SubjectAttribute.commonName.oid, ASN1ObjectIdentifier.NameAttributes.organizationalUnitName,
                    ASN1ObjectIdentifier.NameAttributes.organizationName] {
            if let value = attributes.last(where: { $0.type == oid }), let text = String(value.value), !text.isEmpty {
                return text
            }
        }
        return attributes.isEmpty ? "unnamed" : NameFormatter.oneLine(name)
    }

    private static func distinguishedName(_ bytes: ArraySlice<UInt8>) -> DistinguishedName? {
        guard let element = try? OpenSSLBER.first(in: bytes), let der = try? OpenSSLBER.der(of: element, in: bytes),
              let node = try? DER.parse(der) else { return nil }
        return try? DistinguishedName(derEncoded: node)
    }
}
