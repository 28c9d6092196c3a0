/// A DNS message read from the wire (RFC 1035 §4.1), with EDNS (RFC 6891) and extended DNS
/// errors (RFC 8914). Our own parser, so every reply a lookup depends on is read by code that
/// is tested on byte fixtures and fuzzed (Fuzz/Sources/FuzzDNSMessage): it checks every length
/// before reading, and hostile input ends in a ``DNSWireError``, never a trap.
public struct DNSMessage: Sendable, Equatable {
    /// A UDP or TCP DNS message is at most 65,535 octets (RFC 1035 §4.2.2's length field).
    public static let maximumSize = 65_535

    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]
    /// The additional section without the OPT pseudo-record (that is in ``edns``).
    public var additionals: [DNSRecord]
    public var edns: DNSEDNS?
    /// The octets the header and the counted records take; bytes after them are ignored.
    public var wireLength: Int

    /// The 12-bit reply code: the header's four bits and EDNS's upper eight (RFC 6891 §6.1.3).
    public var rcode: UInt16 { UInt16(edns?.extendedRcode ?? 0) << 4 | UInt16(header.rcode) }

    /// Parses a whole message. Bytes after the last record counted in the header are ignored,
    /// as resolvers do.
    public init(parsing bytes: [UInt8]) throws {
        guard bytes.count <= Self.maximumSize else {
            throw DNSWireError(offset: Self.maximumSize, problem: "message of \(bytes.count) octets, over the 65,535 a DNS message can have")
        }
        var reader = DNSWireReader(bytes)
        header = try DNSHeader(reading: &reader)
        questions = []
        for _ in 0..<header.questionCount {
            questions.append(DNSQuestion(name: try reader.name("a question's name"),
                                         type: DNSRecordType(rawValue: try reader.u16("a question's type")),
                                         questionClass: try reader.u16("a question's class")))
        }
        answers = try Self.records(header.answerCount, from: &reader)
        authorities = try Self.records(header.authorityCount, from: &reader)
        additionals = []
        edns = nil
        for record in try Self.records(header.additionalCount, from: &reader) {
            guard record.type == .opt else {
                additionals.append(record)
                continue
            }
            guard edns == nil else { throw DNSWireError(offset: reader.offset, problem: "more than one OPT record") }
            guard case .unknown(let data) = record.data else { continue }
            edns = try DNSEDNS.read(recordClass: record.recordClass, ttl: record.ttl, data: data, at: 0)
        }
        wireLength = reader.offset
    }

    private static func records(_ count: UInt16, from reader: inout DNSWireReader) throws -> [DNSRecord] {
        var records: [DNSRecord] = []
        records.reserveCapacity(min(Int(count), reader.bytes.count / 11))
        for _ in 0..<count {
            let name = try reader.name("a record's owner name")
            let type = DNSRecordType(rawValue: try reader.u16("a record's type"))
            let recordClass = try reader.u16("a record's class")
            let ttl = try reader.u32("a record's TTL")
            let length = Int(try reader.u16("a record's data length"))
            let end = reader.offset + length
            guard end <= reader.bytes.count else { throw reader.fail("a \(type) record's data runs past the end of the message") }
            records.append(DNSRecord(name: name, type: type, recordClass: recordClass, ttl: ttl,
                                     data: try DNSRecordData.read(type, from: &reader, end: end)))
        }
        return records
    }
}

/// The fixed 12-octet header of a DNS message (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD and CD).
public struct DNSHeader: Sendable, Equatable {
    public var id: UInt16
    /// QR: this is a reply.
    public var isResponse: Bool
    public var opcode: UInt8
    /// AA: the answer comes from a server authoritative for the zone.
    public var authoritative: Bool
    /// TC: the reply did not fit and was cut short.
    public var truncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    /// AD: the resolver validated every record in the answer and authority sections with
    /// DNSSEC. Meaningful only from a trusted resolver on a trusted path (RFC 4035 §4.9.3).
    public var authenticData: Bool
    /// CD: validation was switched off for this query.
    public var checkingDisabled: Bool
    /// The low four bits of the reply code; ``DNSMessage/rcode`` has all twelve.
    public var rcode: UInt8
    public var questionCount: UInt16
    public var answerCount: UInt16
    public var authorityCount: UInt16
    public var additionalCount: UInt16

    init(reading reader: inout DNSWireReader) throws {
        guard reader.bytes.count >= 12 else {
            throw reader.fail("message of \(reader.bytes.count) octets, shorter than a DNS header (12)")
        }
        id = try reader.u16("the header")
        let flags = try reader.u16("the header")
        isResponse = flags & 0x8000 != 0
        opcode = UInt8((flags >> 11) & 0x0F)
        authoritative = flags & 0x0400 != 0
        truncated = flags & 0x0200 != 0
        recursionDesired = flags & 0x0100 != 0
        recursionAvailable = flags & 0x0080 != 0
        authenticData = flags & 0x0020 != 0
        checkingDisabled = flags & 0x0010 != 0
        rcode = UInt8(flags & 0x000F)
        questionCount = try reader.u16("the header")
        answerCount = try reader.u16("the header")
        authorityCount = try reader.u16("the header")
        additionalCount = try reader.u16("the header")
    }
}

/// A question: name, type and class (RFC 1035 §4.1.2).
public struct DNSQuestion: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSRecordType
    public var questionClass: UInt16
}
