#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

extension ChainVerifier {
    /// A web client verifying an HTTPS server, as MTA-STS requires of the policy host
    /// (RFC 8461 §3.3): the name must be a subjectAltName DNS name (DNS-ID only, no Common
    /// Name fallback, RFC 6125), the leaf must allow serverAuth, the chain must reach
    /// `anchors`.
    public static func webServer(name: String, anchors: [Certificate], now: Date = Date()) -> ChainVerifier {
        var rules = Rules()
        rules.names = [name]
        rules.commonNameFallback = false
        rules.purpose = .server
        return ChainVerifier(trust: .anchors(anchors), rules: rules, now: now)
    }
}
