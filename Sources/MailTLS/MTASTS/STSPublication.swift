import Crypto

/// A policy ready to publish: its file's exact bytes, the id derived from them, and the two
/// DNS names involved (`_mta-sts.DOMAIN` TXT and the policy host `mta-sts.DOMAIN`).
///
/// The id is a pure function of the bytes (the first 32 hex digits of their SHA-256), so it
/// changes exactly when the bytes change: an edited policy cannot keep its old id, which is
/// the mistake that keeps senders on a stale cached policy (RFC 8461 §3.1: senders refetch
/// only when the id changes or max_age runs out). 32 hex digits fit `sts-id`'s 1*32 ALPHA/DIGIT.
public struct STSPublication: Sendable, Equatable {
    public var domain: String
    public var policy: STSPolicy
    /// The file's bytes: `key: value` lines ending in CRLF (RFC 8461 §3.2's `CRLF`).
    public var bytes: [UInt8]
    public var id: String

    /// The policy as the file mailtls writes; `domain` without a trailing dot.
    public init(domain: String, policy: STSPolicy) {
        self.domain = STSPublication.bare(domain)
        self.policy = policy
        bytes = Array(Self.text(of: policy).utf8)
        id = Self.id(of: bytes)
    }

    /// The policy text: version, mode, one mx line per pattern, max_age; CRLF line ends.
    public static func text(of policy: STSPolicy) -> String {
        var lines = ["version: STSv1", "mode: \(policy.mode.rawValue)"]
        lines += policy.mx.map { "mx: \($0)" }
        lines.append("max_age: \(policy.maxAge)")
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// The id of a policy file's bytes: the first 32 lower-case hex digits of their SHA-256.
    public static func id(of bytes: [UInt8]) -> String {
        String(Hex.lower(SHA256.hash(data: bytes)).prefix(32))
    }

    /// Whether `id` has the form of ``id(of:)`` (32 hex digits): such an id names one
    /// content, so a mismatch with the served bytes certainly means a stale id.
    public static func isContentID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { Hex.digitValue($0, upperCase: false) != nil }
    }

    /// `_mta-sts.example.org`
    public var recordName: String { "_mta-sts.\(domain)" }
    /// The TXT record's text: `v=STSv1; id=…`.
    public var recordText: String { "\(STSRecord.version); id=\(id)" }
    /// The zone-file line: `_mta-sts.example.org. 3600 IN TXT "v=STSv1; id=…"`.
    public func recordLine(ttl: Int = 3600) -> String { "\(recordName). \(ttl) IN TXT \"\(recordText)\"" }
    /// `mta-sts.example.org`
    public var policyHost: String { "mta-sts.\(domain.lowercased())" }
    /// `https://mta-sts.example.org/.well-known/mta-sts.txt`
    public var url: String { "https://\(policyHost)\(Self.wellKnownPath)" }

    public static let wellKnownPath = "/.well-known/mta-sts.txt"

    /// `example.org.` → `example.org`.
    static func bare(_ domain: String) -> String { domain.hasSuffix(".") ? String(domain.dropLast()) : domain }
}
