/// A policy's `mx` patterns against the domain's real MX host names (RFC 8461 §4.1: a
/// sender that enforces refuses an MX no pattern matches; `*.` stands for exactly one label).
public enum STSMXCoverage {
    /// The MX hosts no pattern of `policy` covers.
    public static func uncovered(_ policy: STSPolicy, mxHosts: [String]) -> [String] {
        mxHosts.map(bare).filter { !policy.covers(mxHost: $0) }
    }

    /// The patterns that cover none of `mxHosts`.
    public static func unused(_ policy: STSPolicy, mxHosts: [String]) -> [String] {
        policy.mx.filter { pattern in !mxHosts.contains { HostNameMatch.matches(bare($0), pattern: pattern) } }
    }

    /// Findings about `subject` (the policy's file or URL): an uncovered MX is an error under
    /// `enforce` (mail to it is refused) and a warning under `testing` (reports only); a
    /// pattern that covers no MX is a warning, expected only in the middle of an MX change.
    public static func findings(_ policy: STSPolicy, mxHosts: [String], domain: String, subject: String) -> [Finding] {
        guard policy.mode != .none else { return [] }
        var findings: [Finding] = []
        let list = mxHosts.map(bare).joined(separator: ", ")
        for host in uncovered(policy, mxHosts: mxHosts) {
            let consequence = policy.mode == .enforce ? "senders that enforce MTA-STS refuse to deliver to it"
                                                      : "senders report failures for it now, and would refuse it under enforce"
            findings.append(Finding(policy.mode == .enforce ? .error : .warning, subject,
                                    "the MX host \(host) is covered by no mx pattern: \(consequence)",
                                    fix: "add mx: \(host) (mailtls mta-sts change --domain \(domain) --add-mx \(host))", rule: rule))
        }
        for pattern in unused(policy, mxHosts: mxHosts) {
            findings.append(Finding(.warning, subject,
                                    "mx \(pattern) covers none of \(domain)'s MX hosts (\(list.isEmpty ? "none" : list)): expected only during an MX change (a host added before its MX record, or one not yet narrowed away)",
                                    fix: "the new host of a change: give it its MX record once mailtls mta-sts change says the wait is over; the old host: narrow it away with mailtls mta-sts change --domain \(domain) --remove-mx \(pattern); neither: remove the line", rule: rule))
        }
        if findings.isEmpty {
            findings.append(Finding(.ok, subject, "the mx patterns cover every MX host of \(domain) (\(list))", rule: rule))
        }
        return findings
    }

    static func bare(_ host: String) -> String { host.hasSuffix(".") ? String(host.dropLast()) : host }

    static let rule = "mta-sts-mx"
}
