import MailTLS

/// One MX host's DANE state for the audit report: ``TLSALookup`` (RFC 7672 §2.2, shared with
/// `check`, `probe` and `rollover`) with every question written in the domain's lookup log,
/// its outcome in the audit's words.
struct DANELookup: Sendable {
    var state: AuditDANEState
    /// The name the records were found at: the TLSA base domain, and the SNI.
    var base: String?
    var records: [TLSARecord]
    var reason: String
    /// A SERVFAIL (dnssec-bogus) or no reply (dns-error).
    var failure: AuditVerdict?

    static func run(host: String, expanded: String, resolver: DNSResolver, log: AuditLookupLog) async -> DANELookup {
        let lookup = await TLSALookup.run(host: host, expanded: expanded) { name, type in await log.lookup(resolver, name, type) }
        let state: AuditDANEState
        switch lookup.state {
        case .usable: state = .usable
        case .unusable: state = .unusable
        case .none: state = .none
        case .bogus: state = .bogus
        }
        let failure: AuditVerdict? = lookup.failure.map { $0 == .dnssecBogus ? .dnssecBogus : .dnsError }
        return DANELookup(state: state, base: lookup.base, records: lookup.records, reason: lookup.reason, failure: failure)
    }
}
