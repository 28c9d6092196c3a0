/// What a source says is published at `_<port>._tcp.<host>.`: the records, where they came
/// from, and what a reader must know about them.
public struct PublishedTLSA: Sendable {
    /// The records to judge a certificate by; empty when DANE does not apply (none published,
    /// or not DNSSEC-signed: a client then uses opportunistic TLS).
    public var records: [TLSARecord]
    /// For messages: the file's path, or `DNS _25._tcp.mx.example.org (DNSSEC-validated, TTL 300 s)`.
    public var origin: String
    /// What the records are not: for another owner name (a file), or why DANE does not apply
    /// (DNS: not signed, nothing published).
    public var note: String?
    /// DNS: how long caches elsewhere may keep this RRset, in seconds (``TLSALookup/ttl``).
    public var ttl: Int?
    /// DNS: the name the records were found at (the CNAME-expanded host, RFC 7672 §2.2.2):
    /// the TLSA base domain, which a DANE client sends as SNI and verifies.
    public var base: String?
    /// DNS: what is wrong with the resolver that gave the records, short of refusing them
    /// (``DNSValidationProbe/findings``' warnings: it is not on loopback, so its AD bit
    /// crossed a network). Every command that reads the records shows these.
    public var resolverWarnings: [Finding]

    public init(records: [TLSARecord], origin: String, note: String? = nil, ttl: Int? = nil, base: String? = nil,
                resolverWarnings: [Finding] = []) {
        self.records = records
        self.origin = origin
        self.note = note
        self.ttl = ttl
        self.base = base
        self.resolverWarnings = resolverWarnings
    }
}

/// Where TLSA records for a host come from: ``TLSAFileSource`` (the records an admin copied
/// from the zone, or from `dig +dnssec`), or ``DNSTLSASource`` (a DNSSEC-validating resolver,
/// trusted by its AD bit). `check --tlsa`, `probe --tlsa` and `rollover next --records` take
/// either; the matcher does not care which.
public protocol TLSARecordSource: Sendable {
    /// The records published at `_<port>._tcp.<host>.`.
    ///
    /// A resolver implementation returns only DNSSEC-validated ("secure") records and throws
    /// when the answer is bogus or the lookup fails, since RFC 7672 §2.2 requires the
    /// delivery to be deferred then, not to go ahead without authentication.
    func published(host: String, port: Int) async throws -> PublishedTLSA
}

/// Records from a file (zone-file lines, generic `TYPE52` lines, or `dig +short` lines).
///
/// Lines with an owner name are returned only for the host and port asked about; bare
/// `3 1 1 <hex>` lines have no owner and are taken to be for whatever host is asked.
public struct TLSAFileSource: TLSARecordSource {
    public let path: String
    public let entries: [TLSAZoneEntry]

    /// Reads and parses `path` now, so a damaged file is reported before any connection.
    public init(path: String) throws {
        self.path = path
        self.entries = try TLSAZoneParser.load(path)
    }

    /// Records already parsed (for example from standard input).
    public init(path: String, entries: [TLSAZoneEntry]) {
        self.path = path
        self.entries = entries
    }

    public func records(host: String, port: Int) throws -> [TLSARecord] {
        let owner = TLSAOwner.name(host: host, port: port)
        var result: [TLSARecord] = []
        for entry in entries where entry.owner == nil || entry.owner == owner {
            if !result.contains(entry.record) { result.append(entry.record) }
        }
        return result
    }

    /// The records for `host` and `port`; when no line names that owner (the admin pasted a
    /// zone under another name for the same server, such as its CNAME target), every record
    /// in the file, with a note saying whose they are.
    public func published(host: String, port: Int) async throws -> PublishedTLSA {
        let matching = try records(host: host, port: port)
        guard matching.isEmpty else { return PublishedTLSA(records: matching, origin: path) }
        return PublishedTLSA(records: entries.map(\.record), origin: path,
                             note: "the file has no records for \(TLSAOwner.name(host: host, port: port)); compared with those for \(otherOwners(host: host, port: port).joined(separator: ", "))")
    }

    /// The owner names in the file that are not `_<port>._tcp.<host>.`, to explain an empty
    /// answer ("the file has records for _25._tcp.mx2.example.org. only").
    public func otherOwners(host: String, port: Int) -> [String] {
        let owner = TLSAOwner.name(host: host, port: port)
        var seen: [String] = []
        for entry in entries {
            if let other = entry.owner, other != owner, !seen.contains(other) { seen.append(other) }
        }
        return seen
    }
}
