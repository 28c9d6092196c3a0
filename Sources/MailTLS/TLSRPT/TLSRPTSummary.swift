#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a set of TLS reports says, summed: per reporting organisation and per policy
/// (type and domain) the successful and failed sessions, the failures by result type and by
/// receiving MX host and address, the days covered; and what could not be read, as findings.
///
/// A report whose `report-id` was already counted is a duplicate (senders resend, and the
/// same report may be saved twice): it is counted once, and a finding says so. Exit status
/// by the one rule (`ExitStatus.of` over `findings`): 1 when an input could not be read,
/// 3 when reports tell of failed sessions, else 0.
public struct TLSRPTSummary: Sendable, Equatable, Encodable {
    /// Reports counted (duplicates left out).
    public private(set) var reports = 0
    public private(set) var duplicates = 0
    /// The earliest `start-datetime` and the latest `end-datetime` (UTC, `2026-11-30T00:00:00Z`).
    public private(set) var start: String?
    public private(set) var end: String?
    public private(set) var successfulSessions = 0
    public private(set) var failedSessions = 0
    public private(set) var organizations: [Organization] = []
    /// Failed sessions per result type, most first (once `finished()`).
    public private(set) var failuresByResultType: [ResultTypeCount] = []
    /// Unreadable inputs (errors), failures reported (warnings), duplicates (ok).
    public private(set) var findings: [Finding] = []
    /// Mail messages that held no report (an mbox may mix reports with other mail).
    public private(set) var messagesWithoutReport = 0

    public struct Organization: Sendable, Equatable, Encodable {
        public var name: String
        public var contactInfo: String?
        public var reports: Int
        public var policies: [Policy]
    }

    public struct Policy: Sendable, Equatable, Encodable {
        public var policyType: String
        public var policyDomain: String
        public var successfulSessions: Int
        public var failedSessions: Int
        /// Per result type, receiving MX and address: the failed sessions, most first (once `finished()`).
        public var failures: [FailureCount]
    }

    public struct FailureCount: Sendable, Equatable, Encodable {
        public var resultType: String
        public var receivingMXHostname: String?
        public var receivingIP: String?
        public var sessions: Int
    }

    public struct ResultTypeCount: Sendable, Equatable, Encodable {
        public var resultType: String
        public var sessions: Int
    }

    public var exitStatus: Int32 { ExitStatus.of(findings) }

    public init() {}

    private var seen: [String: String] = [:] // report-id → where it was first counted
    private var failureIndex: [FailureKey: Int] = [:]
    private struct FailureKey: Hashable {
        var organization: Int, policy: Int, resultType: String, mx: String?, ip: String?
    }
    private var earliest: Date?
    private var latest: Date?

    private enum CodingKeys: String, CodingKey {
        case reports, duplicates, start, end, successfulSessions, failedSessions, organizations, failuresByResultType,
             findings, messagesWithoutReport
    }

    static let inputRule = "tlsrpt-input"
    static let duplicateRule = "tlsrpt-duplicate"
    static let failureRule = "tlsrpt-failures"

    /// Counts everything one input held (`TLSRPTDocuments.contents`), parsing each report.
    public mutating func add(_ contents: TLSRPTDocuments.Contents) {
        messagesWithoutReport += contents.messagesWithoutReport
        for problem in contents.problems { findings.append(Finding(problem, rule: Self.inputRule)) }
        for document in contents.documents {
            do {
                add(try TLSRPTReport.parse(document.json, source: document.source), source: document.source)
            } catch let error as MailTLSError {
                findings.append(Finding(error, rule: Self.inputRule))
            } catch {
                findings.append(Finding(.error, document.source, "\(error)", rule: Self.inputRule))
            }
        }
    }

    /// An input that could not be read at all (no such file, too large).
    public mutating func add(unreadable error: MailTLSError) {
        findings.append(Finding(error, rule: Self.inputRule))
    }

    /// Counts one report unless its report-id was counted before.
    public mutating func add(_ report: TLSRPTReport, source: String) {
        if let id = report.reportID {
            if let first = seen[id] {
                duplicates += 1
                findings.append(Finding(.ok, source, "report \"\(id)\" from \(report.organizationName) was already read from \(first); counted once",
                                        rule: Self.duplicateRule))
                return
            }
            seen[id] = source
        }
        reports += 1
        if let start = report.startDatetime.flatMap(TLSRPTDate.date) { earliest = min(earliest ?? start, start) }
        if let end = report.endDatetime.flatMap(TLSRPTDate.date) { latest = max(latest ?? end, end) }
        self.start = earliest.map(UTCTimestamp.iso8601)
        self.end = latest.map(UTCTimestamp.iso8601)

        let organizationIndex = organizations.firstIndex { $0.name == report.organizationName } ?? {
            organizations.append(Organization(name: report.organizationName, contactInfo: report.contactInfo, reports: 0, policies: []))
            return organizations.count - 1
        }()
        organizations[organizationIndex].reports += 1
        if organizations[organizationIndex].contactInfo == nil { organizations[organizationIndex].contactInfo = report.contactInfo }
        for policy in report.policies {
            var policies = organizations[organizationIndex].policies
            let index = policies.firstIndex { $0.policyType == policy.policyType && $0.policyDomain == policy.policyDomain } ?? {
                policies.append(Policy(policyType: policy.policyType, policyDomain: policy.policyDomain, successfulSessions: 0, failedSessions: 0, failures: []))
                return policies.count - 1
            }()
            policies[index].successfulSessions += policy.successfulSessions
            policies[index].failedSessions += policy.failedSessions
            successfulSessions += policy.successfulSessions
            failedSessions += policy.failedSessions
            for failure in policy.failures {
                // Indexed, not searched: a big sender's report can list thousands of addresses.
                let key = FailureKey(organization: organizationIndex, policy: index, resultType: failure.resultType,
                                     mx: failure.receivingMXHostname, ip: failure.receivingIP)
                if let found = failureIndex[key] {
                    policies[index].failures[found].sessions += failure.failedSessions
                } else {
                    failureIndex[key] = policies[index].failures.count
                    policies[index].failures.append(FailureCount(resultType: failure.resultType, receivingMXHostname: failure.receivingMXHostname,
                                                                 receivingIP: failure.receivingIP, sessions: failure.failedSessions))
                }
                if let found = failuresByResultType.firstIndex(where: { $0.resultType == failure.resultType }) {
                    failuresByResultType[found].sessions += failure.failedSessions
                } else {
                    failuresByResultType.append(ResultTypeCount(resultType: failure.resultType, sessions: failure.failedSessions))
                }
            }
            organizations[organizationIndex].policies = policies
        }
    }

    /// The summary to show, once all reports are added: failures sorted (most sessions
    /// first, then by result type), and one warning finding per organisation and policy
    /// that reported failed sessions.
    public func finished() -> TLSRPTSummary {
        var summary = self
        let order: (FailureCount, FailureCount) -> Bool = {
            ($0.sessions, $1.resultType, $1.receivingMXHostname ?? "", $1.receivingIP ?? "") > ($1.sessions, $0.resultType, $0.receivingMXHostname ?? "", $0.receivingIP ?? "")
        }
        summary.failuresByResultType.sort { ($0.sessions, $1.resultType) > ($1.sessions, $0.resultType) }
        for organization in summary.organizations.indices {
            for policy in summary.organizations[organization].policies.indices {
                summary.organizations[organization].policies[policy].failures.sort(by: order)
            }
        }
        let organizations = summary.organizations
        for organization in organizations {
            for policy in organization.policies where policy.failedSessions > 0 {
                let total = policy.successfulSessions + policy.failedSessions
                let worst = policy.failures.first.map { "; most: \($0.resultType) (\($0.sessions))" } ?? ""
                summary.findings.append(Finding(.warning, policy.policyDomain.isEmpty ? nil : policy.policyDomain,
                                                "\(organization.name) saw \(policy.failedSessions) of \(total) sessions fail under policy \(policy.policyType)\(worst)",
                                                fix: TLSRPTResultType.advice(policy.failures.first?.resultType),
                                                rule: Self.failureRule))
            }
        }
        return summary
    }
}
