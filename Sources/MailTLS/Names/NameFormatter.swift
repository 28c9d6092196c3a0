import X509
import SwiftASN1

/// Prints names the way `openssl x509 -noout -subject` does (OpenSSL 3, `-nameopt oneline`):
/// `C = US, O = Example, CN = mail.example.org`, in encoding order, fields of one RDN
/// joined by ` + `. Values with separators are quoted; non-ASCII is shown as UTF-8
/// rather than OpenSSL's `\C3\A9`, because people read this.
public enum NameFormatter {
    public static func oneLine(_ name: DistinguishedName) -> String {
        name.map { rdn in
            rdn.map { "\(shortName($0.type)) = \(quoted(value($0)))" }.joined(separator: " + ")
        }.joined(separator: ", ")
    }

    /// The `/C=US/CN=…` form, to paste into `--subject`.
    public static func slashForm(_ name: DistinguishedName) -> String {
        name.map { rdn in
            "/" + rdn.map { "\(shortName($0.type))=\(value($0).replacingSpecials("/+\\"))" }.joined(separator: "+")
        }.joined()
    }

    /// The value's text, or `#<hex of DER>` when it is not a string type.
    public static func value(_ attribute: RelativeDistinguishedName.Attribute) -> String {
        if let text = String(attribute.value) { return text }
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(ASN1Any(attribute.value))) != nil else { return "#" }
        return "#" + Hex.lower(serializer.serializedBytes)
    }

    /// OpenSSL's short name for the attribute type, or the dotted OID.
    public static func shortName(_ oid: ASN1ObjectIdentifier) -> String {
        SubjectAttribute.withOID(oid)?.shortName ?? oid.description
    }

    /// The Common Name, if the name has one (the last, as OpenSSL's hostname check uses).
    public static func commonName(_ name: DistinguishedName) -> String? {
        name.flatMap { $0 }.last { $0.type == SubjectAttribute.commonName.oid }.flatMap { String($0.value) }
    }

    private static func quoted(_ text: String) -> String {
        let specials: Set<Character> = [",", "+", "\"", "\\", "<", ">", ";"]
        let needsQuotes = text.contains { specials.contains($0) } || text.hasPrefix(" ") || text.hasSuffix(" ") || text.hasPrefix("#")
        guard needsQuotes else { return text }
        return "\"" + text.replacingSpecials("\"\\") + "\""
    }
}

extension String {
    /// Backslash-escapes each character of `specials`.
    func replacingSpecials(_ specials: String) -> String {
        var out = ""
        for char in self {
            if specials.contains(char) { out.append("\\") }
            out.append(char)
        }
        return out
    }
}
