/// Reads one Received header value into a hop: the clauses `from`, `by`, `with`, `id`
/// (RFC 5321 §4.4), the date after the last `;`, and the TLS facts of whichever MTA wrote it
/// (`SendmailTLSComment`, `PostfixTLSComment`, `EximTLSClause`).
struct ReceivedParser {
    private(set) var hop = ReceivedHop()
    private var withWords: [String] = []
    private var postfixClient: ClientCertificate?

    static let keywords: Set<String> = ["from", "by", "via", "with", "id", "for"]
    /// RFC 3848 protocol names that mean TLS was used, and Google's `SMTPS`.
    static let tlsProtocols: Set<String> = ["ESMTPS", "ESMTPSA", "UTF8SMTPS", "UTF8SMTPSA", "LMTPS", "LMTPSA",
                                            "UTF8LMTPS", "UTF8LMTPSA", "SMTPS"]

    init(_ value: String) {
        let text = ReceivedTokenizer.collapsingWhitespace(value)
        hop.header = text
        let (tokens, date) = ReceivedTokenizer.tokenize(text)
        hop.date = date
        walk(tokens)
        finish()
    }

    // MARK: clauses

    private mutating func walk(_ tokens: [ReceivedTokenizer.Token]) {
        var clause: String?
        var seen: Set<String> = []
        var fromCommentRead = false
        for token in tokens {
            switch token {
            case .word(let word):
                let lower = word.lowercased()
                if Self.keywords.contains(lower), !seen.contains(lower) {
                    clause = lower
                    seen.insert(lower)
                    continue
                }
                switch clause {
                case "from": if hop.from == nil { hop.from = word }
                case "by": if hop.by == nil { hop.by = word }
                case "with": withWords.append(word)
                case "id": if hop.id == nil { hop.id = word }
                default: break
                }
            case .comment(let comment):
                if SendmailTLSComment.read(comment, into: &hop) { continue }
                if PostfixTLSComment.read(comment, into: &hop, clientCertificate: &postfixClient) { continue }
                if clause == "with", EximTLSClause.readVersion(comment, into: &hop) { continue }
                if clause == "from", !fromCommentRead {
                    readFromComment(comment)
                    fromCommentRead = true
                }
            }
        }
    }

    private mutating func finish() {
        EximTLSClause.takeCipher(from: &withWords, into: &hop)
        hop.with = withWords.isEmpty ? nil : withWords.joined(separator: " ")
        let protocolName = withWords.first?.uppercased() ?? ""
        hop.tls = hop.tlsVersion != nil || hop.cipher != nil || Self.tlsProtocols.contains(protocolName)
        if let verify = hop.verify {
            hop.verifyMeaning = VerifyWord.meaning(of: verify)
            hop.clientCertificate = VerifyWord(rawValue: verify.uppercased())?.clientCertificate
        } else if let client = postfixClient {
            hop.clientCertificate = client
            hop.verifyMeaning = client.postfixMeaning
        }
    }

    /// `(a.example [192.0.2.1])`, `(unknown [192.0.2.1])`, `([192.0.2.1] helo=…)`, `(192.0.2.1)`.
    private mutating func readFromComment(_ comment: String) {
        let words = comment.split(separator: " ")
        if let open = comment.firstIndex(of: "["),
           let close = comment[open...].firstIndex(of: "]") {
            hop.fromAddress = String(comment[comment.index(after: open)..<close])
            if let first = words.first, !first.hasPrefix("[") { hop.fromHost = String(first) }
        } else if words.count == 1, let only = words.first, only.contains(where: { $0 == "." || $0 == ":" }),
                  only.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) {
            hop.fromAddress = String(only)
        }
    }
}
