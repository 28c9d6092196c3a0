/// Sendmail's TLS comment in a Received header, `(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384
/// bits=256 verify=OK)`, and the same `key=value` form other MTAs write with commas.
enum SendmailTLSComment {
    /// Reads the comment's TLS facts into `hop`; false (and `hop` untouched) when the comment
    /// has neither `version=` nor `cipher=`.
    static func read(_ comment: String, into hop: inout ReceivedHop) -> Bool {
        let parts = comment.split(whereSeparator: { $0 == " " || $0 == "," })
        let pairs: [(String, String)] = parts.compactMap { part in
            guard let equals = part.firstIndex(of: "=") else { return nil }
            return (part[..<equals].lowercased(), String(part[part.index(after: equals)...]))
        }
        guard pairs.contains(where: { $0.0 == "version" || $0.0 == "cipher" }) else { return false }
        for (key, value) in pairs where !value.isEmpty {
            switch key {
            case "version": hop.tlsVersion = value
            case "cipher": hop.cipher = value
            case "bits": hop.bits = ReceivedTokenizer.leadingNumber(value)
            case "verify": hop.verify = value
            default: break
            }
        }
        return true
    }
}
