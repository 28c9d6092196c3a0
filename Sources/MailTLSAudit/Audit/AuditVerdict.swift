import MailTLS

/// What a sending MTA will do with mail for one MX address, or for a whole domain, in the
/// words a sender acts on. The raw values are what `--json` and the summary print.
public enum AuditVerdict: String, Sendable, Codable, CaseIterable, Comparable {
    /// DANE (RFC 7672): secure TLSA records and a certificate they match. Authenticated TLS.
    case daneSecure = "dane-secure"
    /// MTA-STS in enforce mode, the MX covered by the policy and its certificate valid (WebPKI).
    case stsEnforced = "sts-enforced"
    /// MTA-STS in testing mode: senders report failures but deliver anyway.
    case stsTesting = "sts-testing"
    /// TLS if offered, nothing authenticated: a man in the middle can strip or intercept it.
    case opportunistic
    /// The domain publishes a null MX (RFC 7505): it accepts no mail.
    case noMail = "no-mail"
    /// Nothing answered at this address: senders queue and retry.
    case unreachable
    /// The server offers no STARTTLS (or breaks it): mail goes in plaintext.
    case noTLS = "no-tls"
    /// MTA-STS in enforce mode, but this MX is not in the policy or its certificate fails:
    /// senders that apply MTA-STS do not deliver.
    case stsFailed = "sts-failed"
    /// Usable TLSA records, but the server's certificate does not match them (or it offers
    /// no STARTTLS): DANE senders defer the mail.
    case daneFailed = "dane-failed"
    /// DNSSEC validation failed (SERVFAIL) for a record a sender needs: DANE senders defer
    /// the mail, and never fall back to plaintext.
    case dnssecBogus = "dnssec-bogus"
    /// The domain does not exist (NXDOMAIN).
    case noSuchDomain = "no-such-domain"
    /// The resolver gave no usable answer (no reply in time): nothing can be judged.
    case dnsError = "dns-error"

    /// How a sender's owner should take it: authenticated TLS and a deliberate null MX are
    /// fine; TLS that can be stripped (or STS in testing) is a warning; mail that is deferred,
    /// refused or sent in plaintext is an error.
    public var severity: Severity {
        switch self {
        case .daneSecure, .stsEnforced, .noMail: return .ok
        case .stsTesting, .opportunistic: return .warning
        case .unreachable, .noTLS, .stsFailed, .daneFailed, .dnssecBogus, .noSuchDomain, .dnsError: return .error
        }
    }

    /// Worse verdicts rank higher: a domain is as good as its weakest MX address.
    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: AuditVerdict, rhs: AuditVerdict) -> Bool { lhs.rank < rhs.rank }
}
