import MailTLS

/// RFC 7672 §2.2's TLSA lookup for one MX host whose address records are secure: at
/// `_25._tcp.` + the CNAME-expanded name first, then the original name; only answers with
/// AD count; a SERVFAIL makes the host unusable (defer), never plaintext.
struct DANELookup: Sendable {
    var state: AuditDANEState
    /// The name the records were found at: the TLSA base domain, and the SNI.
    var base: String?
    var records: [TLSARecord]
    var reason: String
    /// A SERVFAIL (dnssec-bogus) or no reply (dns-error).
    var failure: AuditVerdict?

    /// Usages DANE-TA(2) and DANE-EE(3) with a known selector and matching type (RFC 7672 §3.1).
    static func isUsable(_ record: TLSARecord) -> Bool {
        (record.usage == .daneTA || record.usage == .daneEE) && record.selector.rawValue <= 1 && record.matchingType.rawValue <= 2
    }

    static func run(host: String, expanded: String, resolver: DNSResolver, log: AuditLookupLog) async -> DANELookup {
        let candidates = expanded == host ? [host] : [expanded, host]
        for base in candidates {
            let owner = "_25._tcp." + base
            switch await log.lookup(resolver, owner, .tlsa) {
            case .failure(let error):
                return DANELookup(state: .bogus, base: base, records: [], reason: "\(error.problem): DANE senders defer", failure: .dnsError)
            case .success(let answer):
                if answer.rcode == .servFail {
                    let ede = answer.extendedError.map { " (extended error \($0.infoCode)\($0.extraText.isEmpty ? "" : ": \($0.extraText)"))" } ?? ""
                    return DANELookup(state: .bogus, base: base, records: [],
                                      reason: "the TLSA lookup \(owner) failed DNSSEC validation (SERVFAIL\(ede)): DANE senders defer the mail, never send it in plaintext",
                                      failure: .dnssecBogus)
                }
                let records = answer.tlsaRecords
                if answer.rcode == .noError, !records.isEmpty {
                    guard answer.authenticated else {
                        return DANELookup(state: .none, base: nil, records: records,
                                          reason: "TLSA records at \(owner) are not signed (no AD): DANE does not apply", failure: nil)
                    }
                    if records.contains(where: isUsable) {
                        return DANELookup(state: .usable, base: base, records: records,
                                          reason: "secure TLSA records at \(owner): STARTTLS and a matching certificate are mandatory", failure: nil)
                    }
                    return DANELookup(state: .unusable, base: base, records: records,
                                      reason: "the TLSA records at \(owner) are all unusable for SMTP (only DANE-TA(2) and DANE-EE(3) count, RFC 7672 §3.1.3)",
                                      failure: nil)
                }
                if answer.rcode != .noError, answer.rcode != .nxDomain {
                    return DANELookup(state: .bogus, base: base, records: [], reason: "the TLSA lookup \(owner) got \(answer.rcode): DANE senders defer",
                                      failure: .dnsError)
                }
            }
        }
        return DANELookup(state: .none, base: nil, records: [], reason: "no TLSA records at _25._tcp.\(candidates.joined(separator: " or _25._tcp."))", failure: nil)
    }
}
