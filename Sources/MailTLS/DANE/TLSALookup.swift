/// RFC 7672 §2.2's TLSA lookup for one host whose address records are secure: at
/// `_PORT._tcp.` + the CNAME-expanded name first, then the original name; only answers with
/// AD count; a SERVFAIL makes the host unusable (defer), never plaintext.
///
/// One lookup for every command that takes TLSA records from DNS: `audit` (each MX host),
/// and through ``DNSTLSASource`` `check --tlsa dns`, `probe --tlsa dns` and
/// `rollover next --records dns`. How the questions are asked is the caller's (`audit` logs
/// every answer for `--json`).
public struct TLSALookup: Sendable {
    public enum State: String, Sendable {
        /// Secure records, at least one usable (DANE-TA(2) or DANE-EE(3)): STARTTLS and a
        /// matching certificate are mandatory.
        case usable
        /// Secure records, none usable for SMTP.
        case unusable
        /// No secure records: none published, or not signed.
        case none
        /// The lookup failed validation (SERVFAIL), got another error code, or no reply:
        /// DANE senders defer.
        case bogus
    }

    /// Why a lookup ended in ``State/bogus``.
    public enum Failure: Sendable, Equatable {
        /// SERVFAIL: the answer failed DNSSEC validation (or the resolver could not get one).
        case dnssecBogus
        /// No reply, or an error code other than NXDOMAIN.
        case dnsError
    }

    public var state: State
    /// The name the records were found at: the TLSA base domain, and the SNI.
    public var base: String?
    public var records: [TLSARecord]
    public var reason: String
    public var failure: Failure?
    /// The answer the records came from (its TTL, its RRSIG's original TTL).
    public var answer: DNSAnswer?

    public init(state: State, base: String?, records: [TLSARecord], reason: String, failure: Failure?, answer: DNSAnswer? = nil) {
        self.state = state
        self.base = base
        self.records = records
        self.reason = reason
        self.failure = failure
        self.answer = answer
    }

    /// How one question is asked: `audit` logs every answer, the other commands just ask.
    public typealias Ask = @Sendable (String, DNSRecordType) async -> Result<DNSAnswer, DNSLookupError>

    /// Usages DANE-TA(2) and DANE-EE(3) with a known selector and matching type (RFC 7672 §3.1).
    public static func isUsable(_ record: TLSARecord) -> Bool {
        (record.usage == .daneTA || record.usage == .daneEE) && record.selector.rawValue <= 1 && record.matchingType.rawValue <= 2
    }

    /// Looks up the TLSA records of `host` (whose address records are secure; `expanded` is
    /// the name their CNAMEs lead to, or `host`) for `port`.
    public static func run(host: String, expanded: String, port: Int = 25, ask: Ask) async -> TLSALookup {
        let candidates = expanded == host ? [host] : [expanded, host]
        let prefix = "_\(port)._tcp."
        for base in candidates {
            let owner = prefix + base
            switch await ask(owner, .tlsa) {
            case .failure(let error):
                return TLSALookup(state: .bogus, base: base, records: [], reason: "\(error.problem): DANE senders defer", failure: .dnsError)
            case .success(let answer):
                if answer.rcode == .servFail {
                    let ede = answer.extendedError.map { " (extended error \($0.infoCode)\($0.extraText.isEmpty ? "" : ": \($0.extraText)"))" } ?? ""
                    return TLSALookup(state: .bogus, base: base, records: [],
                                      reason: "the TLSA lookup \(owner) failed DNSSEC validation (SERVFAIL\(ede)): DANE senders defer the mail, never send it in plaintext",
                                      failure: .dnssecBogus, answer: answer)
                }
                let records = answer.tlsaRecords
                if answer.rcode == .noError, !records.isEmpty {
                    guard answer.authenticated else {
                        return TLSALookup(state: .none, base: nil, records: records,
                                          reason: "TLSA records at \(owner) are not signed (no AD): DANE does not apply", failure: nil, answer: answer)
                    }
                    if records.contains(where: isUsable) {
                        return TLSALookup(state: .usable, base: base, records: records,
                                          reason: "secure TLSA records at \(owner): STARTTLS and a matching certificate are mandatory", failure: nil, answer: answer)
                    }
                    return TLSALookup(state: .unusable, base: base, records: records,
                                      reason: "the TLSA records at \(owner) are all unusable for SMTP (only DANE-TA(2) and DANE-EE(3) count, RFC 7672 §3.1.3)",
                                      failure: nil, answer: answer)
                }
                if answer.rcode != .noError, answer.rcode != .nxDomain {
                    return TLSALookup(state: .bogus, base: base, records: [], reason: "the TLSA lookup \(owner) got \(answer.rcode): DANE senders defer",
                                      failure: .dnsError, answer: answer)
                }
            }
        }
        return TLSALookup(state: .none, base: nil, records: [],
                          reason: "no TLSA records at \(prefix)\(candidates.joined(separator: " or \(prefix)"))", failure: nil)
    }

    /// The TTL caches elsewhere may keep this RRset for: the RRSIG's original TTL (what the
    /// zone says; a resolver's answer counts down from it), else the answer's own TTL.
    public var ttl: Int? {
        guard let answer else { return nil }
        let signed = answer.reply.message.answers.compactMap { record -> UInt32? in
            guard case .rrsig(let signature) = record.data, signature.typeCovered == .tlsa else { return nil }
            return signature.originalTTL
        }
        if let original = signed.max() { return Int(original) }
        return answer.records.map { Int($0.ttl) }.max()
    }
}
