/// ``PublishedTLSA`` as `probe --tlsa dns --json` gives it (`tlsaFromDNS`): which records the
/// verdict was reached with, where they were found, and why DANE did not apply when it
/// didn't, so a reader of the JSON alone sees what the text output says above the report.
public struct PublishedTLSAJSON: Sendable, Codable, Equatable {
    /// `DNS _25._tcp.mx.example.org (DNSSEC-validated, TTL 300 s)`.
    public var origin: String
    public var note: String?
    public var ttl: Int?
    /// The TLSA base domain, sent as SNI.
    public var base: String?
    public var records: [TLSAJSONRecord]
    /// The resolver's warnings (not on loopback).
    public var resolverWarnings: [Finding]

    public init(_ published: PublishedTLSA, port: Int) {
        origin = published.origin
        note = published.note
        ttl = published.ttl
        base = published.base
        records = published.records.map { TLSAJSONRecord($0, owner: published.base.map { TLSAOwner.name(host: $0, port: port) }, ttl: published.ttl) }
        resolverWarnings = published.resolverWarnings
    }
}
