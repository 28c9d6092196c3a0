/// How TLSA records are written out: for a zone file, for DNS servers and providers that
/// take only RFC 3597's generic form, or as JSON for scripts.
public enum TLSAFormat: String, CaseIterable, Sendable, Codable {
    /// `_25._tcp.mail.example.org. IN TLSA 3 1 1 <hex>`
    case rfc
    /// `_25._tcp.mail.example.org. IN TYPE52 \# 35 030101<hex>` (RFC 3597), for servers
    /// that predate TLSA.
    case generic
    /// One object per record: `owner`, `usage`, `selector`, `matchingType`, `data` (hex).
    case json

    /// One zone-file line for `record` at `owner` (with a TTL when given). For `.json`, the
    /// `rfc` line; use ``TLSAJSONRecord`` for JSON.
    public func line(_ record: TLSARecord, owner: String, ttl: Int? = nil) -> String {
        let ttlField = ttl.map { " \($0)" } ?? ""
        switch self {
        case .rfc, .json:
            return "\(owner)\(ttlField) IN TLSA \(record.presentation)"
        case .generic:
            let wire = record.wireFormat
            return "\(owner)\(ttlField) IN TYPE52 \\# \(wire.count) \(Hex.lower(wire))"
        }
    }
}

/// A TLSA record in `--json` output (stable keys).
public struct TLSAJSONRecord: Sendable, Codable, Equatable {
    public var owner: String?
    public var ttl: Int?
    public var usage: UInt8
    public var selector: UInt8
    public var matchingType: UInt8
    /// Lower-case hex.
    public var data: String
    /// The zone-file line.
    public var rfc: String?
    /// What the record was computed from (a file), when it was.
    public var source: String?

    public init(_ record: TLSARecord, owner: String?, ttl: Int? = nil, source: String? = nil) {
        self.owner = owner
        self.ttl = ttl
        usage = record.usage.rawValue
        selector = record.selector.rawValue
        matchingType = record.matchingType.rawValue
        data = Hex.lower(record.data)
        rfc = owner.map { TLSAFormat.rfc.line(record, owner: $0, ttl: ttl) }
        self.source = source
    }
}
