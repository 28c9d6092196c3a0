/// What the OPT pseudo-record of a reply says (RFC 6891 §6.1): the sender's UDP size, the DO
/// bit, the upper bits of the reply code, and the options, among them extended DNS errors.
public struct DNSEDNS: Sendable, Equatable {
    public var udpPayloadSize: UInt16
    /// The upper 8 bits of the 12-bit reply code.
    public var extendedRcode: UInt8
    public var version: UInt8
    /// DO: the sender understands DNSSEC records (RFC 3225).
    public var dnssecOK: Bool
    /// Every option as it came: code and data.
    public var options: [(code: UInt16, data: [UInt8])]
    /// The extended DNS errors among the options (RFC 8914), in order.
    public var extendedErrors: [DNSExtendedError]

    /// Reads the OPT record's class, TTL and data.
    static func read(recordClass: UInt16, ttl: UInt32, data: [UInt8], at offset: Int) throws -> DNSEDNS {
        var reader = DNSWireReader(data)
        var options: [(code: UInt16, data: [UInt8])] = []
        var errors: [DNSExtendedError] = []
        do {
            while reader.offset < data.count {
                let code = try reader.u16("an EDNS option code")
                let length = try reader.u16("an EDNS option length")
                let value = try reader.take(Int(length), "an EDNS option")
                options.append((code, value))
                if code == DNSExtendedError.optionCode {
                    guard value.count >= 2 else { throw reader.fail("an extended DNS error option shorter than 2 octets") }
                    errors.append(DNSExtendedError(infoCode: UInt16(value[0]) << 8 | UInt16(value[1]),
                                                   extraText: String(decoding: value.dropFirst(2), as: UTF8.self)))
                }
            }
        } catch let error as DNSWireError {
            throw DNSWireError(offset: offset + error.offset, problem: error.problem + " in the OPT record")
        }
        return DNSEDNS(udpPayloadSize: recordClass, extendedRcode: UInt8(ttl >> 24), version: UInt8((ttl >> 16) & 0xFF),
                       dnssecOK: ttl & 0x8000 != 0, options: options, extendedErrors: errors)
    }

    public static func == (left: DNSEDNS, right: DNSEDNS) -> Bool {
        left.udpPayloadSize == right.udpPayloadSize && left.extendedRcode == right.extendedRcode
            && left.version == right.version && left.dnssecOK == right.dnssecOK
            && left.options.map(\.code) == right.options.map(\.code) && left.options.map(\.data) == right.options.map(\.data)
            && left.extendedErrors == right.extendedErrors
    }
}

/// An extended DNS error (RFC 8914): why a resolver answered as it did, e.g. 6 "DNSSEC Bogus"
/// with a SERVFAIL, 7 "Signature Expired", 9 "DNSKEY Missing".
public struct DNSExtendedError: Sendable, Equatable, CustomStringConvertible {
    /// The EDNS option code of an extended DNS error.
    public static let optionCode: UInt16 = 15

    public var infoCode: UInt16
    /// The resolver's own words, possibly empty.
    public var extraText: String

    public init(infoCode: UInt16, extraText: String) {
        self.infoCode = infoCode
        self.extraText = extraText
    }

    /// The registered name of the code (RFC 8914 §4), or nil for codes without one here.
    public var name: String? {
        let names = ["Other Error", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type", "Stale Answer",
                     "Forged Answer", "DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired",
                     "Signature Not Yet Valid", "DNSKEY Missing", "RRSIGs Missing", "No Zone Key Bit Set",
                     "NSEC Missing", "Cached Error", "Not Ready", "Blocked", "Censored", "Filtered",
                     "Prohibited", "Stale NXDOMAIN Answer", "Not Authoritative", "Not Supported",
                     "No Reachable Authority", "Network Error", "Invalid Data"]
        return Int(infoCode) < names.count ? names[Int(infoCode)] : nil
    }

    /// `6 (DNSSEC Bogus): validation failure …`, as dig prints it.
    public var description: String {
        "\(infoCode)" + (name.map { " (\($0))" } ?? "") + (extraText.isEmpty ? "" : ": \(extraText)")
    }
}
