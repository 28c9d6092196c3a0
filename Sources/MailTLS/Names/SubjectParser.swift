/// Reads a subject in either form admins use:
/// - OpenSSL's `-subj` form, `/C=US/ST=CA/O=Example/CN=mail.example.org`, in encoding order,
///   `+` joining fields of one RDN and `\` escaping the next character;
/// - RFC 4514, `CN=mail.example.org,O=Example,C=US`, most specific first (so reversed to
///   encoding order), with `\,`-style and `\C3\A9` hex escapes.
/// Empty values are skipped, as `openssl req` skips them; every value is validated.
public enum SubjectParser {
    public static func parse(_ text: String) throws -> Subject {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else {
            throw MailTLSError("--subject", "is empty", remedy: "give at least CN, e.g. --subject /CN=mail.example.org")
        }
        let slashForm = trimmed.hasPrefix("/")
        let body = slashForm ? String(trimmed.dropFirst()) : trimmed
        var rdnTexts = split(body, at: slashForm ? ["/"] : [",", ";"])
        if !slashForm { rdnTexts.reverse() }

        var rdns: [[Subject.Field]] = []
        for rdnText in rdnTexts where !rdnText.trimmingSpaces().isEmpty {
            var rdn: [Subject.Field] = []
            for avaText in split(rdnText, at: ["+"]) {
                guard let equals = firstUnescaped("=", in: avaText) else {
                    throw MailTLSError("--subject", "\"\(avaText)\" is not FIELD=value", remedy: "write it like /C=US/O=Example/CN=mail.example.org")
                }
                let name = String(avaText[..<equals]).trimmingSpaces()
                let rawValue = String(avaText[avaText.index(after: equals)...])
                guard let attribute = SubjectAttribute.named(name) else {
                    throw MailTLSError("--subject", "unknown field \"\(name)\"",
                                       remedy: "use C, ST, L, O, OU, CN, emailAddress, DC, street, serialNumber, title, GN, SN")
                }
                let value = try unescape(slashForm ? rawValue : rawValue.trimmingSpaces(), hexEscapes: !slashForm)
                if value.isEmpty { continue }
                rdn.append(Subject.Field(attribute, try attribute.validated(value)))
            }
            if !rdn.isEmpty { rdns.append(rdn) }
        }
        guard !rdns.isEmpty else {
            throw MailTLSError("--subject", "has no field with a value", remedy: "give at least CN, e.g. --subject /CN=mail.example.org")
        }
        return Subject(rdns: rdns)
    }

    /// Splits at unescaped separator characters, keeping escapes for `unescape`.
    static func split(_ text: String, at separators: Set<Character>) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for char in text {
            if escaped {
                current.append(char)
                escaped = false
            } else if char == "\\" {
                current.append(char)
                escaped = true
            } else if separators.contains(char) {
                parts.append(current)
                current = ""
            } else {
                current.append(char)
            }
        }
        parts.append(current)
        return parts
    }

    private static func firstUnescaped(_ target: Character, in text: String) -> String.Index? {
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if escaped { escaped = false } else if char == "\\" { escaped = true } else if char == target { return index }
            index = text.index(after: index)
        }
        return nil
    }

    /// Resolves `\x` (the character itself) and, in RFC 4514 form, `\HH` (a hex byte;
    /// runs of them form UTF-8). OpenSSL's `-subj` form knows only the first.
    static func unescape(_ text: String, hexEscapes: Bool) throws -> String {
        var bytes: [UInt8] = []
        let chars = Array(text.utf8)
        var index = 0
        while index < chars.count {
            let byte = chars[index]
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                index += 1
                continue
            }
            guard index + 1 < chars.count else {
                throw MailTLSError("--subject", "ends with a lone backslash", remedy: "write \\\\ for a backslash")
            }
            if hexEscapes, index + 2 < chars.count, let high = hexValue(chars[index + 1]), let low = hexValue(chars[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(chars[index + 1])
                index += 2
            }
        }
        guard let value = String(validating: bytes, as: UTF8.self) else {
            throw MailTLSError("--subject", "a hex escape does not form valid UTF-8", remedy: "check the \\HH escapes")
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? { Hex.digitValue(byte) }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
