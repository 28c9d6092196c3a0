import MailTLS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The end-of-run table for many domains: counts only, added to as each report passes, so
/// it costs the same for ten domains or a million.
public struct AuditSummary: Sendable, Encodable {
    public var domains = 0
    /// Domains per verdict (`dane-secure`: 12, …).
    public var verdicts: [String: Int] = [:]
    /// Domains with at least one MX host that has usable DANE records.
    public var daneDomains = 0
    /// Domains per MTA-STS mode (`enforce`, `testing`, `none`, `invalid` for an announced
    /// policy that could not be used).
    public var stsModes: [String: Int] = [:]
    /// Domains with a TLS-RPT record.
    public var tlsrptDomains = 0
    /// `domain mx [address]: notAfter` for certificates that expire within 30 days (capped).
    public var expiringSoon: [String] = []
    public var expiringSoonCount = 0
    /// The worst exit status seen.
    public var exitStatus: Int32 = 0

    static let expiringListLimit = 50
    private let soon: String

    public init(now: Date = Date()) {
        soon = UTCTimestamp.iso8601(now.addingTimeInterval(30 * 86_400))
    }

    enum CodingKeys: String, CodingKey {
        case domains, verdicts, daneDomains, stsModes, tlsrptDomains, expiringSoon, expiringSoonCount, exitStatus
    }

    public mutating func add(_ report: AuditDomainReport) {
        domains += 1
        verdicts[report.verdict.rawValue, default: 0] += 1
        if report.mx.contains(where: { $0.dane == .usable }) { daneDomains += 1 }
        if let sts = report.sts { stsModes[sts.mode ?? "invalid", default: 0] += 1 }
        if report.tlsrpt != nil { tlsrptDomains += 1 }
        for host in report.mx {
            for address in host.addresses {
                // ISO 8601 UTC timestamps of one form sort as the times they name.
                if let notAfter = address.certificateNotAfter, notAfter < soon {
                    expiringSoonCount += 1
                    if expiringSoon.count < Self.expiringListLimit {
                        expiringSoon.append("\(report.domain) \(host.host) [\(address.address)]: \(notAfter)")
                    }
                }
            }
        }
        exitStatus = ExitStatus.worse(exitStatus, report.exitStatus)
    }
}
