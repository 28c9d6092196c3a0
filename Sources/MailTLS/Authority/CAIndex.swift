#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The CA's record of every certificate it issued, and its CRL counter.
///
/// It is one JSON file replaced atomically, and each entry holds the certificate itself, so
/// the index is the commit point of every operation: a crash before its rename leaves the old
/// state, after it the new one, and any file written later can be rebuilt from it.
public struct CAIndex: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable { case valid, revoked }

        /// Lower-case hex, as `openssl x509 -serial` prints it (but lower-case).
        public var serial: String
        public var subject: String
        public var names: [String]
        public var profile: LeafProfile
        public var notBefore: Date
        public var notAfter: Date
        public var status: Status
        public var revokedAt: Date?
        public var reason: RevocationReason?
        /// SHA-256 of the public key's SPKI: equal for renewals of the same key.
        public var spkiSHA256: String
        /// The certificate, PEM.
        public var certificate: String

        public func isCurrent(at now: Date) -> Bool { status == .valid && notAfter > now }
    }

    public var version = 1
    /// The number the next CRL gets (RFC 5280 requires it to increase).
    public var nextCRLNumber = 1
    public var entries: [Entry] = []

    public init() {}

    public static func load(_ layout: CALayout) throws -> CAIndex {
        let bytes = try FileReading.bytes(of: layout.indexPath)
        do {
            return try JSONDecoder.ca.decode(CAIndex.self, from: Data(bytes))
        } catch {
            throw MailTLSError(layout.indexPath, "is damaged (\(error))", remedy: "restore it from a backup; issued/ holds a copy of every certificate")
        }
    }

    public func save(_ layout: CALayout) throws {
        let data = try JSONEncoder.ca.encode(self)
        try AtomicFile.write(Array(data) + [0x0A], to: layout.indexPath, mode: .shared, existing: .replace)
    }

    /// The entry with `serial` (hex, any case, colons allowed).
    public func entry(serial: String) -> Entry? {
        let wanted = CAIndex.normalizedSerial(serial)
        return entries.first { $0.serial == wanted }
    }

    public static func normalizedSerial(_ text: String) -> String {
        var hex = text.lowercased().filter { $0 != ":" }
        if hex.hasPrefix("0x") { hex.removeFirst(2) }
        while hex.count > 1 && hex.hasPrefix("0") { hex.removeFirst() }
        return hex
    }
}

extension JSONEncoder {
    static var ca: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    static var ca: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
