/// One aggregate TLS report (RFC 8460 §4): who sent it, for which days, and per policy the
/// sessions that succeeded and those that failed, with details of the failures.
///
/// Read leniently, as real senders write it: `contact-info` may be null or missing,
/// `sending-mta-ip` is missing from Microsoft's reports, `mx-host` is a string or an array,
/// result types outside the RFC's list are kept by name (the IANA registry is open), and
/// fields the RFC does not define are ignored.
public struct TLSRPTReport: Sendable, Equatable, Codable {
    public var organizationName: String
    public var contactInfo: String?
    /// Nil when the sender gave none; then the report cannot be recognised as a duplicate.
    public var reportID: String?
    /// `start-datetime` and `end-datetime` as written (RFC 3339).
    public var startDatetime: String?
    public var endDatetime: String?
    public var policies: [Policy]

    public struct Policy: Sendable, Equatable, Codable {
        /// `sts`, `tlsa` or `no-policy-found` (kept as written if another).
        public var policyType: String
        public var policyDomain: String
        public var policyString: [String]
        public var mxHost: [String]
        public var successfulSessions: Int
        public var failedSessions: Int
        public var failures: [Failure]
    }

    /// One `failure-details` entry: why sessions failed, and where.
    public struct Failure: Sendable, Equatable, Codable {
        /// `certificate-expired`, `starttls-not-supported`, … or any other name a sender uses.
        public var resultType: String
        public var sendingMTAIP: String?
        public var receivingMXHostname: String?
        public var receivingMXHelo: String?
        public var receivingIP: String?
        public var failedSessions: Int
        public var additionalInformation: String?
        public var failureReasonCode: String?
    }

    /// Reads one report's JSON.
    ///
    /// - Throws: `MailTLSError` naming `source` with what is wrong: not JSON, or JSON that is
    ///   not a TLS report (the field named).
    public static func parse(_ bytes: [UInt8], source: String) throws -> TLSRPTReport {
        guard let json = JSONValue.parse(bytes) else {
            throw MailTLSError(source, "is not valid JSON, so not a TLS report", remedy: "check the file: a TLS report is one JSON document, RFC 8460 §4")
        }
        do {
            return try TLSRPTReport(json: json)
        } catch let problem as FieldProblem {
            throw MailTLSError(source, "is not a TLS report: \(problem.text)", remedy: "check the file against RFC 8460 §4, or ask its sender")
        }
    }

    /// Why the JSON is not a report, naming the field (`policies[0].summary`).
    struct FieldProblem: Error { var text: String }

    init(json: JSONValue) throws {
        guard case .object = json else { throw FieldProblem(text: "the document is not a JSON object") }
        organizationName = try Self.text(json["organization-name"], "organization-name", required: false) ?? "(no organization-name)"
        contactInfo = try Self.text(json["contact-info"], "contact-info", required: false)
        reportID = try Self.text(json["report-id"], "report-id", required: false)
        let range = json["date-range"]
        startDatetime = try Self.text(range?["start-datetime"], "date-range.start-datetime", required: false)
        endDatetime = try Self.text(range?["end-datetime"], "date-range.end-datetime", required: false)
        guard let list = json["policies"] else { throw FieldProblem(text: "it has no \"policies\" field") }
        guard let entries = list.array else { throw FieldProblem(text: "\"policies\" is not an array") }
        policies = try entries.enumerated().map { try Policy(json: $1, path: "policies[\($0)]") }
    }

    /// A string field; null or missing gives nil (or, when `required`, a problem), and a
    /// number is taken as its text (some senders write report-ids as numbers).
    static func text(_ value: JSONValue?, _ path: String, required: Bool) throws -> String? {
        switch value {
        case .string(let text)?: return text
        case .number(let number)?: return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case nil, .null?:
            if required { throw FieldProblem(text: "\(path) is missing") }
            return nil
        default: throw FieldProblem(text: "\(path) is not a string")
        }
    }

    /// A list of strings, also given as one string (`mx-host` is either in the wild).
    static func texts(_ value: JSONValue?, _ path: String) throws -> [String] {
        switch value {
        case nil, .null?: return []
        case .string(let text)?: return [text]
        case .array(let values)?:
            return try values.enumerated().map { index, value in
                guard let text = value.string else { throw FieldProblem(text: "\(path)[\(index)] is not a string") }
                return text
            }
        default: throw FieldProblem(text: "\(path) is neither a string nor a list of strings")
        }
    }

    static func count(_ value: JSONValue?, _ path: String) throws -> Int {
        guard let value, !value.isNull else { return 0 }
        guard let count = value.count else { throw FieldProblem(text: "\(path) is not a session count (a whole number from 0)") }
        return count
    }
}

extension TLSRPTReport.Policy {
    init(json: JSONValue, path: String) throws {
        guard case .object = json else { throw TLSRPTReport.FieldProblem(text: "\(path) is not an object") }
        guard let policy = json["policy"], case .object = policy else { throw TLSRPTReport.FieldProblem(text: "\(path).policy is missing") }
        policyType = try TLSRPTReport.text(policy["policy-type"], "\(path).policy.policy-type", required: true) ?? ""
        policyDomain = try TLSRPTReport.text(policy["policy-domain"], "\(path).policy.policy-domain", required: false) ?? ""
        policyString = try TLSRPTReport.texts(policy["policy-string"], "\(path).policy.policy-string")
        mxHost = try TLSRPTReport.texts(policy["mx-host"], "\(path).policy.mx-host")
        let summary = json["summary"]
        if let summary, !summary.isNull, summary["total-successful-session-count"] == nil, summary["total-failure-session-count"] == nil {
            throw TLSRPTReport.FieldProblem(text: "\(path).summary has no session counts")
        }
        successfulSessions = try TLSRPTReport.count(summary?["total-successful-session-count"], "\(path).summary.total-successful-session-count")
        failedSessions = try TLSRPTReport.count(summary?["total-failure-session-count"], "\(path).summary.total-failure-session-count")
        switch json["failure-details"] {
        case nil, .null?: failures = []
        case .array(let entries)?:
            failures = try entries.enumerated().map { try TLSRPTReport.Failure(json: $1, path: "\(path).failure-details[\($0)]") }
        default: throw TLSRPTReport.FieldProblem(text: "\(path).failure-details is not an array")
        }
    }
}

extension TLSRPTReport.Failure {
    init(json: JSONValue, path: String) throws {
        guard case .object = json else { throw TLSRPTReport.FieldProblem(text: "\(path) is not an object") }
        func text(_ key: String) throws -> String? { try TLSRPTReport.text(json[key], "\(path).\(key)", required: false) }
        resultType = try TLSRPTReport.text(json["result-type"], "\(path).result-type", required: true) ?? ""
        sendingMTAIP = try text("sending-mta-ip")
        receivingMXHostname = try text("receiving-mx-hostname")
        receivingMXHelo = try text("receiving-mx-helo")
        receivingIP = try text("receiving-ip")
        failedSessions = try TLSRPTReport.count(json["failed-session-count"], "\(path).failed-session-count")
        additionalInformation = try text("additional-information")
        failureReasonCode = try text("failure-reason-code")
    }
}
