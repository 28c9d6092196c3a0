/// Exim's TLS facts, which sit in the `with` clause rather than in a comment of their own:
/// `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`, or in older versions
/// `with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)`.
enum EximTLSClause {
    /// Reads a comment of the `with` clause, `(TLS1.3)` or `(TLS1.2:CIPHER:BITS)`, into `hop`;
    /// false when it is not of that form.
    static func readVersion(_ comment: String, into hop: inout ReceivedHop) -> Bool {
        guard comment.hasPrefix("TLS"), !comment.contains(" ") else { return false }
        let fields = comment.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let version = fields.first, version.dropFirst(3).first.map({ $0 == "v" || $0.isNumber }) == true else {
            return false
        }
        hop.tlsVersion = version
        if fields.count > 1, !fields[1].isEmpty { hop.cipher = fields[1] }
        if fields.count > 2 { hop.bits = ReceivedTokenizer.leadingNumber(fields[2]) }
        return true
    }

    /// Takes `tls CIPHER` out of the `with` clause's words (after the protocol name), keeping
    /// the cipher unless the header named one already.
    static func takeCipher(from withWords: inout [String], into hop: inout ReceivedHop) {
        guard let tlsIndex = withWords.firstIndex(where: { $0.lowercased() == "tls" }), tlsIndex > 0,
              tlsIndex + 1 < withWords.count else { return }
        if hop.cipher == nil { hop.cipher = withWords[tlsIndex + 1] }
        withWords.removeSubrange(tlsIndex...(tlsIndex + 1))
    }
}
