/// A domain's MTA-STS announcement: the `_mta-sts.DOMAIN` TXT record (RFC 8461 §3.1),
/// `v=STSv1; id=20260101T000000`.
///
/// Pure parsing of what a DNS lookup returned; the lookup is elsewhere.
public struct STSRecord: Sendable, Equatable {
    public static let version = "v=STSv1"

    /// The policy's id: 1–32 letters and digits; a sender refetches the policy when it changes.
    public var id: String
    /// Fields other than `id`, which senders ignore.
    public var extensions: [TXTTagList.Field]

    public typealias Reading = TXTRecordReading<STSRecord>

    /// Reads the TXT RRset at `name` (`_mta-sts.example.org`): each record as its
    /// character-strings, which are joined without spaces. Records that do not begin with
    /// `v=STSv1` are not MTA-STS records and are ignored; more than one that does means no
    /// policy (RFC 8461 §3.1), as does one that breaks the grammar.
    public static func read(_ rrset: [[String]], name: String) -> Reading {
        let single = TXTTagList.single(rrset, version: version, name: name, rule: rule,
                                       consequence: "senders then ignore MTA-STS for this domain (RFC 8461 §3.1)")
        var findings: [Finding] = []
        for record in single.records where !TXTTagList.announces(version, record) && TXTTagList.announces(version.lowercased(), record.lowercased()) {
            findings.append(Finding(.warning, name, "the record \"\(record)\" is ignored: the version tag is case-sensitive and must be \(version)",
                                    fix: "write it as \(version)", rule: rule))
        }
        findings += single.findings
        guard let text = single.text else { return Reading(record: nil, findings: findings, announcements: single.announcements) }
        switch parse(text) {
        case .success(let record):
            return Reading(record: record, findings: findings, announcements: 1)
        case .failure(let error):
            findings.append(Finding(.error, name, "the MTA-STS record \"\(text)\" is invalid: \(error.reason); senders ignore MTA-STS for this domain",
                                    fix: "publish \"\(version); id=\" followed by 1 to 32 letters and digits", rule: rule))
            return Reading(record: nil, findings: findings, announcements: 1)
        }
    }

    /// Parses one record (strings already joined) that announces `v=STSv1`.
    public static func parse(_ text: String) -> Result<STSRecord, TXTTagError> {
        let fields: TXTTagList, id: String
        switch TXTTagList.parse(text, version: version, requiring: "id") {
        case .success(let parsed): (fields, id) = parsed
        case .failure(let error): return .failure(error)
        }
        guard isID(id) else {
            return .failure(TXTTagError("the id \"\(id)\" is not 1 to 32 letters and digits"))
        }
        return .success(STSRecord(id: id, extensions: fields.fields.filter { $0.name != "id" }))
    }

    /// `sts-id = 1*32(ALPHA / DIGIT)`.
    public static func isID(_ id: String) -> Bool {
        (1...32).contains(id.utf8.count) && id.utf8.allSatisfy(TXTTagList.isAlphaDigit)
    }

    static let rule = "mta-sts-record"
}
