/// One resource record of a reply (RFC 1035 §4.1.3) with its data read by type.
public struct DNSRecord: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSRecordType
    /// The class; 1 (IN) for everything mail uses. For OPT it is the sender's UDP size.
    public var recordClass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordData

    /// `TYPE data` as `dig +short` shows the data after the type: `MX 10 mx.example.org.`,
    /// `TLSA 3 1 1 0A1B…`, `TXT "v=STSv1; " "id=1"`.
    public var presentation: String { "\(type) \(data.presentation)" }
}

/// A record's data, read for the types a mail domain's lookups need; other types stay raw.
public enum DNSRecordData: Sendable, Equatable {
    /// An IPv4 (A) or IPv6 (AAAA) address, 4 or 16 octets.
    case address([UInt8])
    case cname(DNSName)
    case ns(DNSName)
    /// A null MX (RFC 7505) is preference 0 with exchange `.`.
    case mx(preference: UInt16, exchange: DNSName)
    /// The character-strings, each kept apart (RFC 1035 §3.3.14); join them for SPF,
    /// MTA-STS and TLS-RPT (RFC 7208 §3.3, RFC 8461 §3.1).
    case txt([[UInt8]])
    case tlsa(TLSARecord)
    case soa(DNSSOA)
    case rrsig(DNSSignature)
    /// Any other type, or OPT: the data as it came.
    case unknown([UInt8])

    /// The data as dig prints it (hex in upper case, TXT strings quoted and escaped).
    public var presentation: String {
        switch self {
        case .address(let bytes): return IPAddressText.text(bytes)
        case .cname(let name), .ns(let name): return name.description
        case .mx(let preference, let exchange): return "\(preference) \(exchange)"
        case .txt(let strings): return strings.map(Self.quoted).joined(separator: " ")
        case .tlsa(let record): return "\(record.parameters) \(Hex.lower(record.data).uppercased())"
        case .soa(let soa):
            return "\(soa.primary) \(soa.mailbox) \(soa.serial) \(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
        case .rrsig(let signature):
            return "\(signature.typeCovered) \(signature.algorithm) \(signature.labels) \(signature.originalTTL) \(signature.expiration) \(signature.inception) \(signature.keyTag) \(signature.signer)"
        case .unknown(let bytes): return "\\# \(bytes.count)" + (bytes.isEmpty ? "" : " " + Hex.lower(bytes).uppercased())
        }
    }

    /// A character-string in quotes, `"` and `\` escaped and other bytes outside printable
    /// ASCII as `\DDD`, as dig prints them.
    static func quoted(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): text += "\\" + String(UnicodeScalar(byte))
            case 0x20...0x7E: text.append(Character(UnicodeScalar(byte)))
            default:
                let digits = String(byte)
                text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return text + "\""
    }

    /// Reads the data of a record of `type` that occupies `reader.offset..<end`. Names in it
    /// may point anywhere earlier in the message but must end inside the data.
    static func read(_ type: DNSRecordType, from reader: inout DNSWireReader, end: Int) throws -> DNSRecordData {
        let start = reader.offset
        let length = end - start
        func wrongLength(_ expected: String) -> DNSWireError {
            reader.fail("\(type) data of \(length) octets, expected \(expected)", at: start)
        }
        let data: DNSRecordData
        switch type {
        case .a, .aaaa:
            let size = type == .a ? 4 : 16
            guard length == size else { throw wrongLength("\(size)") }
            data = .address(try reader.take(size, "the address"))
        case .cname:
            data = .cname(try reader.name("the CNAME target"))
        case .ns:
            data = .ns(try reader.name("the NS name"))
        case .mx:
            data = .mx(preference: try reader.u16("the MX preference"), exchange: try reader.name("the MX exchange"))
        case .txt:
            var strings: [[UInt8]] = []
            while reader.offset < end {
                let count = Int(try reader.u8("a TXT string"))
                guard reader.offset + count <= end else { throw reader.fail("a TXT string runs past the record's data") }
                strings.append(try reader.take(count, "a TXT string"))
            }
            data = .txt(strings)
        case .tlsa:
            guard length >= 3, let record = TLSARecord(wireFormat: try reader.take(length, "the TLSA data")) else {
                throw wrongLength("at least 3")
            }
            data = .tlsa(record)
        case .soa:
            data = .soa(DNSSOA(primary: try reader.name("the SOA primary server"), mailbox: try reader.name("the SOA mailbox"),
                               serial: try reader.u32("the SOA serial"), refresh: try reader.u32("the SOA refresh"),
                               retry: try reader.u32("the SOA retry"), expire: try reader.u32("the SOA expire"),
                               minimum: try reader.u32("the SOA minimum")))
        case .rrsig:
            let covered = DNSRecordType(rawValue: try reader.u16("the RRSIG type covered"))
            let algorithm = try reader.u8("the RRSIG algorithm"), labels = try reader.u8("the RRSIG labels")
            let originalTTL = try reader.u32("the RRSIG TTL"), expiration = try reader.u32("the RRSIG expiration")
            let inception = try reader.u32("the RRSIG inception"), keyTag = try reader.u16("the RRSIG key tag")
            let signer = try reader.name("the RRSIG signer")
            guard reader.offset <= end else { throw reader.fail("the RRSIG signer runs past the record's data") }
            data = .rrsig(DNSSignature(typeCovered: covered, algorithm: algorithm, labels: labels, originalTTL: originalTTL,
                                       expiration: expiration, inception: inception, keyTag: keyTag, signer: signer,
                                       signature: try reader.take(end - reader.offset, "the RRSIG signature")))
        default:
            data = .unknown(try reader.take(length, "the record's data"))
        }
        guard reader.offset == end else {
            throw reader.fail("\(type) data of \(length) octets, but its fields take \(reader.offset - start)", at: start)
        }
        return data
    }
}

/// The data of an SOA record (RFC 1035 §3.3.13).
public struct DNSSOA: Sendable, Equatable {
    public var primary: DNSName
    public var mailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32
}

/// The data of an RRSIG record (RFC 4034 §3.1): enough to tell which RRsets came signed and
/// until when; validation is the resolver's job (its AD bit).
public struct DNSSignature: Sendable, Equatable {
    public var typeCovered: DNSRecordType
    public var algorithm: UInt8
    public var labels: UInt8
    public var originalTTL: UInt32
    /// Seconds since 1970 (modulo 2^32, RFC 4034 §3.1.5).
    public var expiration: UInt32
    public var inception: UInt32
    public var keyTag: UInt16
    public var signer: DNSName
    public var signature: [UInt8]
}
