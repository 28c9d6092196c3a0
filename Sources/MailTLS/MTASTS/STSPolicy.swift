/// An MTA-STS policy (RFC 8461 §3.2), as served at
/// `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`:
///
/// ```
/// version: STSv1
/// mode: enforce
/// mx: mail.example.org
/// mx: *.example.net
/// max_age: 604800
/// ```
public struct STSPolicy: Sendable, Equatable {
    /// What a sender does when an MX fails the policy: `enforce` refuses to deliver,
    /// `testing` delivers and reports, `none` has no policy (used to retire one).
    /// Case-sensitive on the wire.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case enforce, testing, none
    }

    public var mode: Mode
    /// Seconds a sender may cache the policy: 0...31557600 (one year).
    public var maxAge: Int
    /// The MX host patterns, in order: a host name, or `*.` and a name for exactly one
    /// more leftmost label. May be empty only when `mode` is `none`.
    public var mx: [String]

    public init(mode: Mode, maxAge: Int, mx: [String]) {
        self.mode = mode
        self.maxAge = maxAge
        self.mx = mx
    }

    /// The largest `max_age` RFC 8461 allows: 31557600 seconds.
    public static let maximumMaxAge = 31_557_600
    /// The most bytes a policy may have: RFC 8461 §3.3 suggests senders stop at 64 KiB.
    public static let sizeLimit = 64 * 1024

    /// Whether the MX host `mxHost` (as the MX RRset names it; a trailing dot is ignored)
    /// matches one of the `mx` patterns (RFC 8461 §4.1): case-insensitively equal, or
    /// `*.` standing for exactly one leftmost label (`*.example.org` covers
    /// `mx1.example.org`, not `example.org` nor `a.b.example.org`). These are RFC 6125's
    /// wildcard rules as ``HostNameMatch`` applies them to certificates.
    public func covers(mxHost: String) -> Bool {
        mx.contains { HostNameMatch.matches(mxHost, pattern: $0) }
    }
}
