/// Writes a `_smtp._tls` TXT record (RFC 8460 §3) for `tlsrpt record`: the report
/// addresses checked and percent-encoded, the record read back by `TLSRPTRecord.parse`
/// (the parser `audit` uses) before it is shown, and the zone-file line with the text split
/// into character-strings of at most 255 bytes.
public enum TLSRPTRecordWriter {
    /// The written record: its text, and the zone-file line to paste.
    public struct Written: Sendable, Equatable {
        /// `v=TLSRPTv1; rua=mailto:tlsrpt@example.org`.
        public var text: String
        /// The addresses as published (percent-encoded).
        public var rua: [String]
        /// `_smtp._tls.example.org. IN TXT "v=TLSRPTv1; rua=…"` (strings of at most 255 bytes).
        public var zoneLine: String
    }

    /// The record for `values` (each one address or several joined by commas) at
    /// `_smtp._tls.DOMAIN` (without a domain, the owner is `_smtp._tls`, relative to the zone).
    ///
    /// - Throws: `MailTLSError` naming `--rua` or `--domain` when an address is not a
    ///   `mailto:` or `https:` URI with a mailbox or host, or the domain is not a name.
    public static func record(rua values: [String], domain: String?) throws -> Written {
        let addresses = values.flatMap(split).map(encoded)
        guard !addresses.isEmpty else { throw MailTLSError("--rua", "no report address given", remedy: "give --rua mailto:ADDRESS or --rua https://HOST/PATH") }
        for address in addresses {
            guard let scheme = TLSRPTRecord.scheme(of: address), TLSRPTRecord.knownSchemes.contains(scheme) else {
                throw MailTLSError("--rua", "\"\(address)\" is neither a mailto: nor an https: URI; senders report to no other kind (RFC 8460 §3)",
                                   remedy: "give mailto:ADDRESS or https://HOST/PATH")
            }
            if let problem = TLSRPTRecord.uriProblem(address) {
                throw MailTLSError("--rua", problem, remedy: "give mailto:ADDRESS or https://HOST/PATH")
            }
        }
        let text = "\(TLSRPTRecord.version); rua=\(addresses.joined(separator: ","))"
        // Read back with the parser `audit` uses: what we print must be what senders read.
        guard case .success(let parsed) = TLSRPTRecord.parse(text), parsed.rua == addresses else {
            throw MailTLSError("--rua", "the record \"\(text)\" does not read back as written", remedy: "report this as a bug in mailtls")
        }
        let owner: String
        if let domain {
            owner = try DNSName("_smtp._tls." + (domain.hasSuffix(".") ? String(domain.dropLast()) : domain)).description
        } else {
            owner = "_smtp._tls"
        }
        let strings = characterStrings(text).map { "\"\($0)\"" }.joined(separator: " ")
        return Written(text: text, rua: addresses, zoneLine: "\(owner) IN TXT \(strings)")
    }

    /// The addresses in one `--rua` value: a comma followed by `mailto:` or `https:` starts
    /// the next; any other comma belongs to the address (and is encoded).
    static func split(_ value: String) -> [String] {
        var addresses: [String] = []
        for piece in TXTTagList.split(value, on: ",") {
            let trimmed = TXTTagList.trimWSP(piece)
            let startsAddress = ["mailto:", "https:"].contains { trimmed.lowercased().hasPrefix($0) }
            if addresses.isEmpty || startsAddress {
                addresses.append(String(trimmed))
            } else {
                addresses[addresses.count - 1] += "," + piece
            }
        }
        return addresses.map { String(TXTTagList.trimWSP(Substring($0))) }.filter { !$0.isEmpty }
    }

    /// `uri` with `,` `;` `!` (RFC 8460 §3) and every byte a URI cannot hold (space,
    /// controls, non-ASCII, `"`, `\`, `<`, `>`, …) percent-encoded; `%XX` already there is kept,
    /// a `%` that starts no escape becomes `%25`.
    static func encoded(_ uri: String) -> String {
        let bytes = Array(uri.utf8)
        var out = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) {
                out += String(decoding: bytes[index...index + 2], as: UTF8.self)
                index += 3
                continue
            }
            if TXTTagList.isAlphaDigit(byte) || allowed.utf8.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + hexDigits(byte)
            }
            index += 1
        }
        return out
    }

    /// The text in pieces of at most 255 bytes, as one TXT record's character-strings
    /// (RFC 1035 §3.3.14); our text is ASCII, so no character is cut.
    static func characterStrings(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return stride(from: 0, to: max(bytes.count, 1), by: 255).map {
            String(decoding: bytes[$0..<min($0 + 255, bytes.count)], as: UTF8.self)
        }
    }

    /// What stays as it is: RFC 3986's unreserved characters and delimiters but `,` `;` `!`
    /// (and `%`, handled apart).
    private static let allowed = "-._~:/?#[]@$&'()*+="

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }
}
