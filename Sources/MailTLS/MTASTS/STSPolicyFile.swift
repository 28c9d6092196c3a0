#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The policy file on disk (`mta-sts.txt`, what the web server serves): written atomically,
/// never replacing a different policy unless forced (the old one kept as a dated backup),
/// and always re-read by ``STSPolicyParser`` before it is written, so mailtls never writes a
/// policy senders would reject.
public enum STSPolicyFile {
    /// What a write did.
    public enum Outcome: Sendable, Equatable {
        case written
        /// The file already held exactly these bytes.
        case unchanged
        /// A different policy was replaced; `backup` is its dated copy.
        case replaced(backup: String?)
    }

    /// Writes `publication`'s bytes to `path` (0644).
    public static func write(_ publication: STSPublication, to path: String, force: Bool, now: Date = Date()) throws -> Outcome {
        let reading = STSPolicyParser.read(publication.bytes, source: path)
        if let error = reading.findings.first(where: { $0.severity == .error }) {
            throw MailTLSError(path, "the policy would be invalid: \(error.message)", remedy: error.fix ?? "")
        }
        guard FileReading.exists(path) else {
            try AtomicFile.write(publication.bytes, to: path, mode: .shared, existing: .refuse)
            return .written
        }
        let old = try FileReading.bytes(of: path)
        if old == publication.bytes { return .unchanged }
        guard force else {
            throw MailTLSError(path, "exists and holds a different policy (id \(STSPublication.id(of: old)))",
                               remedy: "give --force to replace it (it is kept as a dated backup), or --out another file")
        }
        let backup = try AtomicFile.backUp(path, stamp: UTCTimestamp.compact(now))
        try AtomicFile.write(publication.bytes, to: path, mode: .shared, existing: .replace)
        return .replaced(backup: backup)
    }

    /// A policy file as it is: its bytes, what the parser makes of them, and when it was last written.
    public struct Contents: Sendable {
        public var path: String
        public var bytes: [UInt8]
        public var reading: STSPolicyParser.Reading
        public var modified: Date
        /// The id the bytes need in the `_mta-sts` record.
        public var id: String { STSPublication.id(of: bytes) }
    }

    /// Reads and parses the policy file at `path`.
    public static func read(_ path: String) throws -> Contents {
        let bytes = try FileReading.bytes(of: path)
        var info = stat()
        let modified = stat(path, &info) == 0 ? Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec)) : Date()
        return Contents(path: path, bytes: bytes, reading: STSPolicyParser.read(bytes, source: path), modified: modified)
    }
}
