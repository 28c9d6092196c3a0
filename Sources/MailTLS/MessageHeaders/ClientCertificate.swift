/// What became of the client's certificate on a TLS hop, in words that fit both MTAs:
/// Sendmail's `verify=` word and Postfix's `(Client CN "…", Issuer "…" (verified OK))`,
/// `(not verified)`, `(Client did not present a certificate)` and `(No client certificate
/// requested)` (Postfix `smtpd.c` writes exactly these four).
public enum ClientCertificate: String, CaseIterable, Sendable, Codable {
    case verified = "verified"
    case notVerified = "not-verified"
    case notPresented = "not-presented"
    case notRequested = "not-requested"

    /// One line for an admin, for a Postfix hop (Sendmail hops use `VerifyWord.meaning`).
    public var postfixMeaning: String {
        switch self {
        case .verified: "the client's certificate verified against smtpd_tls_CAfile/smtpd_tls_CApath"
        case .notVerified: "a certificate was presented but did not verify against smtpd_tls_CAfile/smtpd_tls_CApath"
        case .notPresented: "the client was asked for a certificate and sent none (normal for MTA-to-MTA)"
        case .notRequested: "no certificate was asked for (smtpd_tls_ask_ccert = no, the default)"
        }
    }
}
