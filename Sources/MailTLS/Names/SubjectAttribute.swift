import SwiftASN1

/// A subject attribute mailtls knows by name: its OID, how OpenSSL encodes it, its limits,
/// and the prompt `openssl req` shows for it.
public struct SubjectAttribute: Sendable, Equatable {
    /// How the value is encoded, following `openssl req`'s default `utf8only` string mask
    /// and its per-attribute table (countryName is PrintableString, emailAddress IA5String).
    public enum Encoding: Sendable { case utf8, printable, ia5 }

    /// The short name OpenSSL prints (`CN`, `O`, `emailAddress`).
    public let shortName: String
    /// Other names accepted on input (`email`, `E`, `commonName`).
    public let aliases: [String]
    public let oid: ASN1ObjectIdentifier
    public let encoding: Encoding
    /// Upper bound on the length in characters (X.520 / OpenSSL's ASN1_STRING_TABLE).
    public let maxLength: Int
    /// The `openssl req` prompt, for the interactive fields.
    public let prompt: String

    /// Every attribute mailtls reads and prints by name.
    public static let all: [SubjectAttribute] = [
        .init(shortName: "C", aliases: ["countryName"], oid: [2, 5, 4, 6], encoding: .printable, maxLength: 2,
              prompt: "Country Name (2 letter code)"),
        .init(shortName: "ST", aliases: ["S", "stateOrProvinceName"], oid: [2, 5, 4, 8], encoding: .utf8, maxLength: 128,
              prompt: "State or Province Name (full name)"),
        .init(shortName: "L", aliases: ["localityName"], oid: [2, 5, 4, 7], encoding: .utf8, maxLength: 128,
              prompt: "Locality Name (eg, city)"),
        .init(shortName: "O", aliases: ["organizationName"], oid: [2, 5, 4, 10], encoding: .utf8, maxLength: 64,
              prompt: "Organization Name (eg, company)"),
        .init(shortName: "OU", aliases: ["organizationalUnitName"], oid: [2, 5, 4, 11], encoding: .utf8, maxLength: 64,
              prompt: "Organizational Unit Name (eg, section)"),
        .init(shortName: "CN", aliases: ["commonName"], oid: [2, 5, 4, 3], encoding: .utf8, maxLength: 64,
              prompt: "Common Name (e.g. server FQDN or YOUR name)"),
        .init(shortName: "emailAddress", aliases: ["email", "E"], oid: [1, 2, 840, 113549, 1, 9, 1], encoding: .ia5, maxLength: 128,
              prompt: "Email Address"),
        .init(shortName: "street", aliases: ["streetAddress"], oid: [2, 5, 4, 9], encoding: .utf8, maxLength: 128, prompt: "Street"),
        .init(shortName: "DC", aliases: ["domainComponent"], oid: [0, 9, 2342, 19_200_300, 100, 1, 25], encoding: .ia5, maxLength: 63,
              prompt: "Domain Component"),
        .init(shortName: "UID", aliases: ["userId"], oid: [0, 9, 2342, 19_200_300, 100, 1, 1], encoding: .utf8, maxLength: 256, prompt: "User ID"),
        .init(shortName: "serialNumber", aliases: [], oid: [2, 5, 4, 5], encoding: .printable, maxLength: 64, prompt: "Serial Number"),
        .init(shortName: "title", aliases: [], oid: [2, 5, 4, 12], encoding: .utf8, maxLength: 64, prompt: "Title"),
        .init(shortName: "SN", aliases: ["surname"], oid: [2, 5, 4, 4], encoding: .utf8, maxLength: 64, prompt: "Surname"),
        .init(shortName: "GN", aliases: ["givenName"], oid: [2, 5, 4, 42], encoding: .utf8, maxLength: 64, prompt: "Given Name"),
        .init(shortName: "initials", aliases: [], oid: [2, 5, 4, 43], encoding: .utf8, maxLength: 64, prompt: "Initials"),
        .init(shortName: "postalCode", aliases: [], oid: [2, 5, 4, 17], encoding: .utf8, maxLength: 40, prompt: "Postal Code"),
        .init(shortName: "dnQualifier", aliases: [], oid: [2, 5, 4, 46], encoding: .printable, maxLength: 64, prompt: "DN Qualifier"),
        .init(shortName: "name", aliases: [], oid: [2, 5, 4, 41], encoding: .utf8, maxLength: 64, prompt: "Name"),
        .init(shortName: "description", aliases: [], oid: [2, 5, 4, 13], encoding: .utf8, maxLength: 1024, prompt: "Description"),
        .init(shortName: "businessCategory", aliases: [], oid: [2, 5, 4, 15], encoding: .utf8, maxLength: 128, prompt: "Business Category"),
    ]

    /// The fields `openssl req` (and the old Makefile) asks for, in its order.
    public static let prompted = ["C", "ST", "L", "O", "OU", "CN", "emailAddress"].compactMap(named)

    /// The attribute called `name` (case-insensitive, aliases included).
    public static func named(_ name: String) -> SubjectAttribute? {
        let key = name.lowercased()
        return all.first { $0.shortName.lowercased() == key || $0.aliases.contains { $0.lowercased() == key } }
    }

    /// The attribute with `oid`, if mailtls knows it.
    public static func withOID(_ oid: ASN1ObjectIdentifier) -> SubjectAttribute? {
        all.first { $0.oid == oid }
    }

    public static let commonName = named("CN")!
}
