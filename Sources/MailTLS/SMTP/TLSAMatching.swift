import X509

/// The probe's use of the DANE matcher: RFC 7672's judgement of the presented chain
/// against the records, turned into a probe verdict.
enum TLSAMatching {
    struct Match {
        /// nil when there were no records (DANE does not apply: verify as usual).
        var verdict: ProbeVerdict?
        var description: String
    }

    static func match(chain: [(certificate: Certificate, der: [UInt8])], records: [TLSARecord], name: String) async -> Match {
        let report = await TLSAMatcher(records: records, referenceNames: [name]).match(chain: chain)
        switch report.verdict {
        case .matched: return Match(verdict: .ok, description: report.summary)
        case .noMatch: return Match(verdict: .fail, description: report.summary)
        case .noUsableRecords: return Match(verdict: .no, description: report.summary)
        case .noRecords: return Match(verdict: nil, description: report.summary)
        }
    }
}
