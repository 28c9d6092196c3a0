#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `probe --targets` reports after the last host: counts by verdict and TLS version,
/// the certificates that expire soon, and the worst exit status (1 before 3 before 0).
public struct ProbeSummary: Sendable {
    public private(set) var count = 0
    public private(set) var verdicts: [String: Int] = [:]
    public private(set) var versions: [String: Int] = [:]
    public private(set) var expiringSoon = 0
    public private(set) var worstStatus: Int32 = 0
    /// Server certificates that end before this are counted as expiring soon.
    public let soonLimit: Date

    /// `soon` is how far ahead counts as soon: 30 days, as the summary line says.
    public init(now: Date = Date(), soon: TimeInterval = 30 * 86_400) {
        soonLimit = now.addingTimeInterval(soon)
    }

    public mutating func add(_ report: ProbeReport) {
        count += 1
        verdicts[report.verdict.rawValue, default: 0] += 1
        versions[report.tlsVersion ?? "no TLS", default: 0] += 1
        if let text = report.chain.first?.notAfter, let notAfter = UTCTimestamp.date(iso8601: text), notAfter < soonLimit {
            expiringSoon += 1
        }
        worstStatus = ExitStatus.worse(worstStatus, report.verdict.exitStatus)
    }
}
