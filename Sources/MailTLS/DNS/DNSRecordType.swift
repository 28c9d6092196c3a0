/// A resource record type (RFC 1035 §3.2.2 and later RFCs), kept as its number so types this
/// version does not know still parse and print (`TYPE65`, as RFC 3597 writes them).
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let mx = DNSRecordType(rawValue: 15)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let opt = DNSRecordType(rawValue: 41)
    public static let ds = DNSRecordType(rawValue: 43)
    public static let rrsig = DNSRecordType(rawValue: 46)
    public static let nsec = DNSRecordType(rawValue: 47)
    public static let dnskey = DNSRecordType(rawValue: 48)
    public static let nsec3 = DNSRecordType(rawValue: 50)
    public static let tlsa = DNSRecordType(rawValue: 52)

    private static let names: [UInt16: String] = [
        1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 15: "MX", 16: "TXT", 28: "AAAA", 41: "OPT", 43: "DS",
        46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 50: "NSEC3", 52: "TLSA",
    ]

    /// A type by its mnemonic (`TLSA`) or RFC 3597 form (`TYPE52`), any case.
    public init?(name: String) {
        let upper = name.uppercased()
        if let known = Self.names.first(where: { $0.value == upper }) {
            self.init(rawValue: known.key)
        } else if upper.hasPrefix("TYPE"), let number = UInt16(upper.dropFirst(4)) {
            self.init(rawValue: number)
        } else {
            return nil
        }
    }

    /// `TLSA`, or `TYPE65` for types without a name here.
    public var description: String { Self.names[rawValue] ?? "TYPE\(rawValue)" }
}
