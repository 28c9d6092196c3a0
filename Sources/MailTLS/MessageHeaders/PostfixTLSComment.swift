/// Postfix's TLS comments in a Received header (`smtpd.c`): `(using TLSv1.3 with cipher
/// TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 …)` and the client-certificate
/// comment that follows it: `(Client CN "…", Issuer "…" (verified OK))`, `(… (not verified))`,
/// `(Client did not present a certificate)` or `(No client certificate requested)`.
enum PostfixTLSComment {
    /// Reads the comment into `hop`; what became of the client's certificate goes to
    /// `clientCertificate` (a Sendmail `verify=` word, when the header has one too, wins).
    /// False when the comment is none of Postfix's.
    static func read(_ comment: String, into hop: inout ReceivedHop, clientCertificate: inout ClientCertificate?) -> Bool {
        if comment.hasPrefix("using ") {
            readUsing(comment.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init), into: &hop)
            return true
        }
        if comment.hasPrefix("Client CN ") {
            hop.clientCN = ReceivedTokenizer.quoted(after: "CN ", in: comment)
            hop.issuer = ReceivedTokenizer.quoted(after: "Issuer ", in: comment)
            if comment.hasSuffix("(verified OK)") {
                clientCertificate = .verified
            } else if comment.hasSuffix("(not verified)") {
                clientCertificate = .notVerified
            }
            return true
        }
        if comment == "Client did not present a certificate" {
            clientCertificate = .notPresented
            return true
        }
        if comment == "No client certificate requested" {
            clientCertificate = .notRequested
            return true
        }
        return false
    }

    /// `using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 …`
    private static func readUsing(_ words: [String], into hop: inout ReceivedHop) {
        if words.count > 1 { hop.tlsVersion = words[1] }
        if let index = words.firstIndex(of: "cipher"), index + 1 < words.count {
            hop.cipher = words[index + 1]
            if index + 2 < words.count, words[index + 2].hasPrefix("(") {
                hop.bits = ReceivedTokenizer.leadingNumber(String(words[index + 2].dropFirst()))
            }
        }
        if let index = words.firstIndex(of: "key-exchange"), index + 1 < words.count {
            hop.keyExchange = words[index + 1]
        }
    }
}
