/// One DANE TLSA record's data (RFC 6698 §2.1): certificate usage, selector, matching type
/// and the association data, e.g. `3 1 1 <sha-256 of the server key's SubjectPublicKeyInfo>`.
///
/// The fields are kept as the octets they are on the wire, so a record with a value this
/// version does not know (a usage 7, a matching type 9) still parses, prints and compares;
/// ``TLSAMatcher`` then reports it as unusable instead of failing.
public struct TLSARecord: Sendable, Hashable, Codable {
    /// Who vouches for the certificate (RFC 7218 acronyms).
    public struct Usage: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// `0`: a CA that PKIX validation must pass through. Not used for SMTP (RFC 7672 §3.1.3).
        public static let pkixTA = Usage(rawValue: 0)
        /// `1`: the server certificate, after PKIX validation. Not used for SMTP (RFC 7672 §3.1.3).
        public static let pkixEE = Usage(rawValue: 1)
        /// `2`: a trust anchor (a CA, often one's own) that the server's chain leads to.
        public static let daneTA = Usage(rawValue: 2)
        /// `3`: the server's own certificate or key; names and dates are not checked.
        public static let daneEE = Usage(rawValue: 3)

        /// `DANE-EE(3)`, or the bare number for values without a name.
        public var name: String {
            switch rawValue {
            case 0: return "PKIX-TA(0)"
            case 1: return "PKIX-EE(1)"
            case 2: return "DANE-TA(2)"
            case 3: return "DANE-EE(3)"
            default: return "\(rawValue)"
            }
        }
    }

    /// Which part of a certificate the data is about.
    public struct Selector: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// `0`: the whole certificate (DER). Changes at every renewal.
        public static let certificate = Selector(rawValue: 0)
        /// `1`: the SubjectPublicKeyInfo (DER). Stays the same while the key stays.
        public static let publicKey = Selector(rawValue: 1)

        public var name: String {
            switch rawValue {
            case 0: return "Cert(0)"
            case 1: return "SPKI(1)"
            default: return "\(rawValue)"
            }
        }
    }

    /// How the selected bytes are compared: as they are, or by a digest.
    public struct MatchingType: RawRepresentable, Sendable, Hashable, Codable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// `0`: the selected bytes themselves.
        public static let full = MatchingType(rawValue: 0)
        /// `1`: their SHA-256 digest (32 bytes).
        public static let sha256 = MatchingType(rawValue: 1)
        /// `2`: their SHA-512 digest (64 bytes).
        public static let sha512 = MatchingType(rawValue: 2)

        public var name: String {
            switch rawValue {
            case 0: return "Full(0)"
            case 1: return "SHA2-256(1)"
            case 2: return "SHA2-512(2)"
            default: return "\(rawValue)"
            }
        }

        /// The length the data must have, for the digests; nil for `full` and unknown types.
        public var digestLength: Int? {
            switch rawValue {
            case 1: return 32
            case 2: return 64
            default: return nil
            }
        }
    }

    public var usage: Usage
    public var selector: Selector
    public var matchingType: MatchingType
    /// The certificate association data: a digest, or the full DER for matching type 0.
    public var data: [UInt8]

    public init(usage: Usage, selector: Selector, matchingType: MatchingType, data: [UInt8]) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.data = data
    }

    /// `3 1 1 0a1b…`, the record data as zone files and `dig +short` show it.
    public var presentation: String {
        "\(usage.rawValue) \(selector.rawValue) \(matchingType.rawValue) \(Hex.lower(data))"
    }

    /// `3 1 1`, the three parameters alone.
    public var parameters: String {
        "\(usage.rawValue) \(selector.rawValue) \(matchingType.rawValue)"
    }

    /// The record data on the wire (RFC 6698 §2.1): three octets, then the data.
    public var wireFormat: [UInt8] {
        [usage.rawValue, selector.rawValue, matchingType.rawValue] + data
    }

    /// Parses record data in wire form, as RFC 3597's `\# 35 0301…` carries it.
    public init?(wireFormat bytes: [UInt8]) {
        guard bytes.count >= 3 else { return nil }
        self.init(usage: Usage(rawValue: bytes[0]), selector: Selector(rawValue: bytes[1]),
                  matchingType: MatchingType(rawValue: bytes[2]), data: Array(bytes.dropFirst(3)))
    }

    /// Why a client cannot use this record for SMTP, or nil when it can (RFC 7672 §3.1.3:
    /// PKIX usages are unusable; RFC 7671 §4.1 / RFC 6698 §2.1: unknown parameters and digests
    /// of the wrong length are unusable).
    public var unusableReason: String? {
        switch usage {
        case .pkixTA, .pkixEE:
            return "usage \(usage.name) is not used for SMTP; RFC 7672 §3.1.3 makes it unusable"
        case .daneTA, .daneEE:
            break
        default:
            return "usage \(usage.rawValue) is unknown"
        }
        guard selector == .certificate || selector == .publicKey else {
            return "selector \(selector.rawValue) is unknown"
        }
        guard matchingType.rawValue <= 2 else {
            return "matching type \(matchingType.rawValue) is unknown"
        }
        if let length = matchingType.digestLength, data.count != length {
            return "\(matchingType.name) data must be \(length) bytes, this has \(data.count)"
        }
        if matchingType == .full && data.isEmpty {
            return "Full(0) data is empty"
        }
        return nil
    }
}

/// Where a TLSA record lives: `_25._tcp.mail.example.org.` (RFC 6698 §3, RFC 7672 §2.2.3).
public enum TLSAOwner {
    /// The owner name for a host and TCP port, with the trailing dot zone files need.
    public static func name(host: String, port: Int = 25) -> String {
        var host = host.lowercased()
        if !host.hasSuffix(".") { host += "." }
        return "_\(port)._tcp.\(host)"
    }

    /// The owner name, after checking `host` is a host name (not a wildcard): the name in
    /// the MX record, which a DANE client looks up.
    public static func checkedName(host: String, port: Int = 25) throws -> String {
        guard HostNameRules.isValid(host), !host.hasPrefix("*") else {
            throw MailTLSError("--host \(host)", "is not a host name", remedy: "give the name in the MX record, e.g. --host mail.example.org")
        }
        return name(host: host, port: port)
    }
}
