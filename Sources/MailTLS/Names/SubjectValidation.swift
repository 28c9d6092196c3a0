/// Checks a value against its attribute's rules before anything is signed, so a typo
/// becomes a clear message instead of a certificate a CA rejects later.
extension SubjectAttribute {
    /// Returns the value as it will be encoded (a country code upper-cased), or throws
    /// an error that names the field and says what it needs.
    public func validated(_ value: String) throws -> String {
        let field = "subject field \(shortName)"
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw MailTLSError(field, "contains a control character", remedy: "remove it")
        }
        if shortName == "C" {
            guard value.count == 2, value.unicodeScalars.allSatisfy({ $0.isASCIILetter }) else {
                throw MailTLSError(field, "must be a two-letter country code, not \"\(value)\"", remedy: "use an ISO 3166 code such as US, DE or GB")
            }
            return value.uppercased()
        }
        if value.count > maxLength {
            throw MailTLSError(field, "is \(value.count) characters long; at most \(maxLength) are allowed", remedy: "shorten it")
        }
        switch shortName {
        case "emailAddress":
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), value.unicodeScalars.allSatisfy(\.isASCII) else {
                throw MailTLSError(field, "\"\(value)\" is not an email address", remedy: "use the form postmaster@example.org")
            }
        default:
            break
        }
        switch encoding {
        case .printable:
            guard value.unicodeScalars.allSatisfy(\.isPrintableStringCharacter) else {
                throw MailTLSError(field, "may only hold letters, digits, spaces and ' ( ) + , - . / : = ?", remedy: "remove the other characters")
            }
        case .ia5:
            guard value.unicodeScalars.allSatisfy(\.isASCII) else {
                throw MailTLSError(field, "may only hold ASCII characters", remedy: "remove the others")
            }
        case .utf8:
            break
        }
        return value
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
    var isASCIIDigit: Bool { (0x30...0x39).contains(value) }
    /// X.680's PrintableString alphabet.
    var isPrintableStringCharacter: Bool {
        isASCIILetter || isASCIIDigit || " '()+,-./:=?".unicodeScalars.contains(self)
    }
}
