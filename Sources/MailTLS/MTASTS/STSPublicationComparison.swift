#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `mta-sts check`'s judgement, pure: the `_mta-sts` record's id and the policy's bytes as
/// published, against each other and against the file on disk.
///
/// The id mailtls makes is a hash of the bytes (``STSPublication/id(of:)``), so a published
/// id of that form that is not the hash of the served bytes is certainly stale: the policy
/// changed and the id was not bumped, and senders that cached the old policy keep it until
/// its max_age ends. An id of another form (a date) cannot be judged that way.
public enum STSPublicationComparison {
    public struct Published: Sendable {
        public var domain: String
        /// The announced id (nil: no usable `_mta-sts` record).
        public var id: String?
        /// The URL and bytes served (nil: the fetch failed).
        public var url: String
        public var served: [UInt8]?

        public init(domain: String, id: String?, url: String, served: [UInt8]?) {
            self.domain = domain
            self.id = id
            self.url = url
            self.served = served
        }
    }

    public static func findings(_ published: Published, file: STSPolicyFile.Contents?) -> [Finding] {
        var findings: [Finding] = []
        let record = "_mta-sts.\(published.domain)"
        if let served = published.served, let id = published.id {
            let expected = STSPublication.id(of: served)
            if id == expected {
                findings.append(Finding(.ok, record, "id=\(id) is the id of the policy served at \(published.url)", rule: idRule))
            } else if STSPublication.isContentID(id) {
                findings.append(Finding(.error, record, "id=\(id) is stale: the policy served at \(published.url) has changed since (its id is \(expected)); senders that cached the old policy keep it until its max_age ends",
                                        fix: "publish \(record). TXT \"v=STSv1; id=\(expected)\"", rule: idRule))
            } else {
                findings.append(Finding(.warning, record, "id=\(id) is not derived from the policy's bytes, so whether it was bumped at the last change cannot be told",
                                        fix: "publish \(record). TXT \"v=STSv1; id=\(expected)\" (mailtls mta-sts policy prints it); then a changed policy without a new id shows here", rule: idRule))
            }
        }
        if let file {
            if let served = published.served {
                if served == file.bytes {
                    findings.append(Finding(.ok, file.path, "is the policy served at \(published.url)", rule: fileRule))
                } else if published.id == file.id {
                    findings.append(Finding(.error, published.url, "serves another policy than \(file.path), yet \(record) already announces the file's id=\(file.id): senders fetching now cache the old policy under the new id and will not fetch again until its max_age ends",
                                            fix: "put \(file.path) at \(published.url) now", rule: fileRule))
                } else {
                    findings.append(Finding(.warning, file.path, "differs from the policy served at \(published.url): not published yet",
                                            fix: "put it at \(published.url), then publish \(record). TXT \"v=STSv1; id=\(file.id)\"", rule: fileRule))
                }
            }
            findings += file.reading.findings
        }
        return findings
    }

    /// `max_age` by RFC 8461 §3.2's advice ("weeks or greater") for an enforced policy; the
    /// parser already refuses more than a year and warns about less than a day.
    public static func maxAgeFindings(_ policy: STSPolicy, subject: String) -> [Finding] {
        guard policy.mode == .enforce, (86_400..<604_800).contains(policy.maxAge) else { return [] }
        return [Finding(.warning, subject, "max_age \(policy.maxAge) is less than a week; RFC 8461 recommends weeks or more for an enforced policy",
                        fix: "use max_age: 604800 or more", rule: STSPolicyParser.rule)]
    }

    /// The policy host's certificate: valid (the fetch verified chain and name), expiring soon or not.
    public static func certificateFindings(host: String, notValidAfter: Date?, now: Date, warnDays: Int = 30) -> [Finding] {
        guard let end = notValidAfter else { return [] }
        let left = end.timeIntervalSince(now)
        let days = Int(left / 86_400)
        if left < Double(warnDays) * 86_400 {
            return [Finding(.warning, host, "the certificate expires on \(UTCTimestamp.readable(end)), in \(days) days; senders then ignore the policy (sts-webpki-invalid)",
                            fix: "renew it (mailtls acme renew, or your CA)", rule: certificateRule)]
        }
        return [Finding(.ok, host, "the certificate names \(host), reaches a trusted CA and is valid until \(UTCTimestamp.readable(end))", rule: certificateRule)]
    }

    static let idRule = "mta-sts-id"
    static let fileRule = "mta-sts-file"
    static let certificateRule = "mta-sts-certificate"
}
