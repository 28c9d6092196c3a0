import MailTLS

/// One DNS lookup as the audit saw it, for `--json`: what was asked, the reply code, the AD
/// bit and the records, so a reader can see why a verdict was reached.
public struct AuditLookup: Sendable, Codable, Equatable {
    public var name: String
    public var type: String
    /// NOERROR, NXDOMAIN, SERVFAIL…; nil when no reply came (see `error`).
    public var rcode: String?
    /// The resolver's AD bit: it validated the answer (or the denial) with DNSSEC.
    public var authenticated: Bool
    /// The records of the asked type, in presentation form (`MX 10 mx.example.org.`).
    public var records: [String]
    /// CNAME targets followed from `name`.
    public var cnameChain: [String]
    /// RFC 8914 extended error code, e.g. 6 "DNSSEC Bogus", 7 "Signature Expired".
    public var extendedError: Int?
    /// Why there is no reply.
    public var error: String?

    init(_ answer: DNSAnswer) {
        name = answer.name.description
        type = answer.type.description
        rcode = answer.rcode.description
        authenticated = answer.authenticated
        records = answer.records.map(\.presentation)
        cnameChain = answer.cnameChain.map(\.description)
        extendedError = answer.extendedError.map { Int($0.infoCode) }
        error = nil
    }

    init(name: String, type: DNSRecordType, error: String) {
        self.name = name
        self.type = type.description
        rcode = nil
        authenticated = false
        records = []
        cnameChain = []
        extendedError = nil
        self.error = error
    }

    /// `NOERROR AD`, `SERVFAIL (EDE 6)`, `no reply`: one column of the text output.
    public var summary: String {
        guard let rcode else { return "no reply" }
        return rcode + (authenticated ? " AD" : "") + (extendedError.map { " (EDE \($0))" } ?? "")
    }
}

/// One address of one MX host, probed: where the connection really went and what it found.
public struct AuditAddressReport: Sendable, Codable {
    /// The MX host's address, as DNS gave it.
    public var address: String
    /// Where the probe connected (`address:25`, or the `--connect-to` target).
    public var probed: String
    /// The name sent as SNI and verified: the TLSA base domain with DANE, else the MX name.
    public var serverName: String
    public var verdict: AuditVerdict
    public var reason: String
    /// The SMTP probe's own verdict (`OK`, `FAIL`, `NONE`, `TEMP`…).
    public var probeVerdict: ProbeVerdict
    public var tlsVersion: String?
    /// How the chain was judged against the WebPKI trust (`verified to …`, or the failure).
    public var verification: String?
    /// Which TLSA record matched, with DANE.
    public var tlsaMatch: String?
    /// The server certificate's notAfter (ISO 8601), when one was presented.
    public var certificateNotAfter: String?
    public var certificateSubject: String?
}

/// What DANE (RFC 7672) says for one MX host.
public enum AuditDANEState: String, Sendable, Codable {
    /// Secure TLSA records with at least one usable (DANE-TA(2) or DANE-EE(3)) record: STARTTLS
    /// and a matching certificate are mandatory.
    case usable
    /// Secure TLSA records, none usable (PKIX-TA/PKIX-EE or unknown): no DANE authentication.
    case unusable
    /// No secure TLSA records (none published, or the host's or records' zone is unsigned).
    case none
    /// A lookup DANE needs failed validation (SERVFAIL): senders defer, never plaintext.
    case bogus
    /// The resolver does not validate: DANE cannot be judged.
    case notJudged = "not-judged"
}

/// One MX host: its lookups, its DANE state, whether the MTA-STS policy covers it, and
/// each address probed.
public struct AuditMXReport: Sendable, Codable {
    public var preference: Int
    public var host: String
    /// The host's name after CNAMEs (equal to `host` when none).
    public var expandedHost: String
    /// A and AAAA of the host were answered with AD.
    public var addressesSecure: Bool
    public var dane: AuditDANEState
    /// The name the TLSA records were found at (`_25._tcp.` + this), and the SNI with DANE.
    public var tlsaBase: String?
    /// The TLSA records, as published (`3 1 1 …`).
    public var tlsa: [String]
    /// Whether the MTA-STS policy's `mx` patterns cover this host; nil without a policy.
    public var stsCovered: Bool?
    public var verdict: AuditVerdict
    public var reason: String
    public var addresses: [AuditAddressReport]
}

/// The domain's MTA-STS (RFC 8461) state: the TXT record and the policy fetched.
public struct AuditSTSReport: Sendable, Codable {
    /// The `id` of the `_mta-sts` record; nil when no valid record.
    public var id: String?
    /// `enforce`, `testing`, `none`; nil when no policy could be used.
    public var mode: String?
    public var mx: [String]
    public var maxAge: Int?
    public var url: String?
    /// Why there is no policy (RFC 8460's result type and the reason).
    public var failure: String?
}

/// The domain's TLS-RPT (RFC 8460) record.
public struct AuditTLSRPTReport: Sendable, Codable {
    /// Where reports go; empty when no valid record.
    public var rua: [String]
}

/// Everything the audit found for one domain. `--json` prints it as is, one per line.
public struct AuditDomainReport: Sendable, Codable {
    public var domain: String
    public var verdict: AuditVerdict
    public var reason: String
    /// The resolver asked and whether it validates (its AD bit is what DANE is judged by).
    public var resolver: String
    public var resolverValidates: Bool
    public var mx: [AuditMXReport]
    public var sts: AuditSTSReport?
    public var tlsrpt: AuditTLSRPTReport?
    /// Every DNS lookup made, in order: name, type, reply code, AD bit, records.
    public var lookups: [AuditLookup]
    public var findings: [Finding]

    /// 0 all good, 3 warnings, 1 failures: the verdict's severity and every finding's.
    public var exitStatus: Int32 {
        ExitStatus.worse(verdict.severity.exitStatus, ExitStatus.of(findings))
    }
}
