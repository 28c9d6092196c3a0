/// Sendmail's `${verify}` macro: the word in `verify=…` of a Received header's
/// `(version=… cipher=… bits=… verify=…)` comment, which says what became of the
/// peer's certificate when STARTTLS was negotiated.
///
/// In a Received header the receiving Sendmail was the TLS server, so the word is about the
/// *client's* (the sending host's) certificate. Sources: "sendmail, 4th Edition", §21.9
/// `${verify}`, Table 21-10 (OK, NO, NOT, FAIL, NONE, TEMP, PROTOCOL, SOFTWARE); Oracle's
/// "System Administration Guide: Network Services", Table 14–14; and Sendmail's `tls.c`
/// (`tls_get_info`), which sets TRUSTED when DANE matched a TLSA record and DANE_FAIL when it
/// did not.
public enum VerifyWord: String, CaseIterable, Sendable, Codable {
    case ok = "OK"
    case no = "NO"
    case not = "NOT"
    case fail = "FAIL"
    case none = "NONE"
    case temp = "TEMP"
    case `protocol` = "PROTOCOL"
    case software = "SOFTWARE"
    case trusted = "TRUSTED"
    case daneFail = "DANE_FAIL"

    /// One line for an admin: what the word says about this hop.
    public var meaning: String {
        switch self {
        case .ok: "the client's certificate verified against CACertFile/CACertPath"
        case .no: "the client sent no certificate (normal for MTA-to-MTA)"
        case .not: "no certificate was asked for"
        case .fail: "a certificate was presented but did not verify against CACertFile/CACertPath"
        case .none: "STARTTLS was not used"
        case .temp: "a temporary error stopped the certificate check"
        case .protocol: "a protocol error happened during STARTTLS"
        case .software: "the STARTTLS handshake failed (the message is queued for a retry)"
        case .trusted: "DANE: the certificate's key matched the peer's TLSA record"
        case .daneFail: "DANE: TLSA records exist but the certificate matched none of them"
        }
    }

    /// The client-certificate outcome the word stands for, in the terms shared with Postfix.
    public var clientCertificate: ClientCertificate? {
        switch self {
        case .ok, .trusted: .verified
        case .fail, .daneFail: .notVerified
        case .no: .notPresented
        case .not: .notRequested
        case .none, .temp, .protocol, .software: nil
        }
    }

    /// The meaning of any word as found in a header; words Sendmail does not document are said
    /// to be such rather than guessed at.
    public static func meaning(of word: String) -> String {
        VerifyWord(rawValue: word.uppercased())?.meaning ?? "not one of the words Sendmail documents for ${verify}"
    }
}
