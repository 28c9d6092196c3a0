/// The verdict of a probe, in the words of Sendmail's `${verify}` macro (``VerifyWord``) so
/// admins read it the way they read their `Received:` headers. A probe gives OK (verified),
/// FAIL (did not verify), NO (no trust given), NONE (no STARTTLS), TEMP (cannot connect, 4xx),
/// PROTOCOL (the server broke SMTP or TLS) or SOFTWARE (mailtls could not go on).
public typealias ProbeVerdict = VerifyWord

extension VerifyWord {
    /// How a sender should take it: verified is ok, TLS without verification a warning,
    /// no TLS or an error an error; so the exit status is 0, 3 or 1 like every checking
    /// command's (cron can tell them apart).
    public var severity: Severity {
        switch self {
        case .ok, .trusted: return .ok
        case .fail, .no, .not, .daneFail: return .warning
        case .none, .temp, .protocol, .software: return .error
        }
    }

    public var exitStatus: Int32 { severity.exitStatus }
}

/// One certificate the server presented.
public struct ProbedCertificate: Sendable, Codable, Equatable {
    public var subject: String
    public var issuer: String
    public var altNames: [String]
    public var notBefore: String
    public var notAfter: String
    public var key: String
    public var sha256: String
    public var spkiSHA256: String
}

/// Everything a probe saw. `--json` prints it as is.
public struct ProbeReport: Sendable, Codable {
    public var host: String
    public var port: Int
    public var verdict: ProbeVerdict
    /// Why, in one line.
    public var reason: String
    public var banner: [String] = []
    public var capabilitiesBefore: [String] = []
    public var capabilitiesAfter: [String]?
    /// STARTTLS must not be offered again inside TLS (RFC 3207).
    public var startTLSOfferedAfterTLS: Bool?
    public var tlsVersion: String?
    public var cipher: String?
    public var group: String?
    public var chain: [ProbedCertificate] = []
    /// How the chain was judged: `verified`, `pinned`, or the failure.
    public var verification: String?
    /// Which TLSA record matched, with --tlsa.
    public var tlsaMatch: String?
    /// With `--tlsa dns`: the records as a DANE sender found them, or why DANE did not apply.
    public var tlsaFromDNS: PublishedTLSAJSON?
    /// Milliseconds per phase: connect, greeting, ehlo, starttls, handshake, ehlo-tls, quit.
    public var timings: [String: Double] = [:]

    public init(host: String, port: Int, verdict: ProbeVerdict, reason: String) {
        self.host = host
        self.port = port
        self.verdict = verdict
        self.reason = reason
    }
}
