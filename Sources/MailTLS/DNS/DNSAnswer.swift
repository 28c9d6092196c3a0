/// A reply as it came from the resolver: the bytes (kept for --json) and what they say.
public struct DNSReply: Sendable, Equatable {
    public var bytes: [UInt8]
    public var message: DNSMessage

    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        self.message = try DNSMessage(parsing: bytes)
    }
}

/// What one lookup means for its caller: did the name exist, did the resolver vouch for the
/// answer (AD), which records of the asked type are there, through which CNAMEs.
public struct DNSAnswer: Sendable, Equatable {
    /// The reply code, with the cases a caller acts on named.
    public enum ResponseCode: Sendable, Equatable, CustomStringConvertible {
        case noError, nxDomain, servFail, refused
        /// FORMERR, NOTIMP, BADVERS, …: the number.
        case other(UInt16)

        init(_ code: UInt16) {
            switch code {
            case 0: self = .noError
            case 2: self = .servFail
            case 3: self = .nxDomain
            case 5: self = .refused
            default: self = .other(code)
            }
        }

        /// NOERROR, NXDOMAIN, …, as dig prints them.
        public var description: String {
            switch self {
            case .noError: return "NOERROR"
            case .nxDomain: return "NXDOMAIN"
            case .servFail: return "SERVFAIL"
            case .refused: return "REFUSED"
            case .other(let code):
                let names: [UInt16: String] = [1: "FORMERR", 4: "NOTIMP", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE", 16: "BADVERS"]
                return names[code] ?? "RCODE\(code)"
            }
        }
    }

    /// The name and type asked for.
    public var name: DNSName
    public var type: DNSRecordType
    public var rcode: ResponseCode
    /// The AD bit: the resolver validated the answer (or the denial of existence) with DNSSEC.
    public var authenticated: Bool
    /// The CNAME targets followed from `name` inside the answer section, in order.
    public var cnameChain: [DNSName]
    /// The records of the asked type at the end of the CNAME chain (empty: NODATA or NXDOMAIN).
    public var records: [DNSRecord]
    /// The first extended DNS error (RFC 8914), e.g. 6 "DNSSEC Bogus" with a SERVFAIL.
    public var extendedError: DNSExtendedError?
    public var reply: DNSReply

    /// Reads `reply` as the answer to `name`/`type`.
    public init(name: DNSName, type: DNSRecordType, reply: DNSReply) {
        self.name = name
        self.type = type
        self.reply = reply
        let message = reply.message
        rcode = ResponseCode(message.rcode)
        authenticated = message.header.authenticData
        extendedError = message.edns?.extendedErrors.first
        var current = name
        var chain: [DNSName] = []
        while type != .cname, chain.count < 16,
              let alias = message.answers.first(where: { $0.type == .cname && $0.name == current }),
              case .cname(let target) = alias.data, target != name, !chain.contains(target) {
            chain.append(target)
            current = target
        }
        cnameChain = chain
        records = message.answers.filter { $0.type == type && $0.name == current }
    }

    /// The name the records belong to: the last CNAME target, or the name asked for.
    public var canonicalName: DNSName { cnameChain.last ?? name }

    /// NOERROR with no records of the type: the name exists, the type does not (NODATA).
    public var isNoData: Bool { rcode == .noError && records.isEmpty }

    /// The addresses of A/AAAA records, as text.
    public var addresses: [String] {
        records.compactMap { record -> String? in
            guard case .address(let bytes) = record.data else { return nil }
            return IPAddressText.text(bytes)
        }
    }

    /// The MX records as (preference, exchange), sorted by preference.
    public var mailExchangers: [(preference: UInt16, exchange: DNSName)] {
        records.compactMap { record -> (preference: UInt16, exchange: DNSName)? in
            guard case .mx(let preference, let exchange) = record.data else { return nil }
            return (preference, exchange)
        }.sorted { $0.preference < $1.preference }
    }

    /// A null MX (RFC 7505): a single MX record `0 .`.
    public var isNullMX: Bool {
        let exchangers = mailExchangers
        return exchangers.count == 1 && exchangers[0].preference == 0 && exchangers[0].exchange == .root
    }

    /// Each TXT record's strings joined without separators (RFC 7208 §3.3, RFC 8461 §3.1),
    /// decoded as UTF-8.
    public var texts: [String] {
        records.compactMap { record -> String? in
            guard case .txt(let strings) = record.data else { return nil }
            return String(decoding: Array(strings.joined()), as: UTF8.self)
        }
    }

    public var tlsaRecords: [TLSARecord] {
        records.compactMap { record -> TLSARecord? in
            guard case .tlsa(let tlsa) = record.data else { return nil }
            return tlsa
        }
    }

    /// Whether the answer section carries an RRSIG over the asked type (signed data; the AD
    /// bit says whether it validated).
    public var isSigned: Bool {
        reply.message.answers.contains { record in
            guard case .rrsig(let signature) = record.data else { return false }
            return signature.typeCovered == type
        }
    }
}
