/// Where TLSA records for a host come from.
///
/// DANE is only as good as the DNSSEC validation behind the records: a record from an
/// unvalidated answer proves nothing. These machines have no validating resolver to trust
/// (and often no DNS at all), so mailtls ships only ``TLSAFileSource``, which reads the
/// records an admin copied from the zone or from `dig +dnssec` on a trusted machine. A
/// DNSSEC-validating resolver can be plugged in later by conforming to this protocol; the
/// matcher and `check --tlsa` do not change.
public protocol TLSARecordSource {
    /// The TLSA records published at `_<port>._tcp.<host>.`, or an empty list when there are
    /// none (then DANE does not apply and a client uses opportunistic TLS).
    ///
    /// A resolver implementation must return only DNSSEC-validated ("secure") records and
    /// throw when the answer is bogus or the lookup fails, since RFC 7672 §2.2 requires
    /// the delivery to be deferred then, not to go ahead without authentication.
    func records(host: String, port: Int) throws -> [TLSARecord]
}

/// Records from a file (zone-file lines, generic `TYPE52` lines, or `dig +short` lines),
/// the stand-in for DNS on machines without a resolver to trust.
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
