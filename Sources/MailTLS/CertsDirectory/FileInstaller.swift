#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one rule for putting a key, request or certificate into a certs directory:
/// never replace an existing file unless forced, and when forced keep the old one as
/// `NAME.<UTC time>` first. The write itself is atomic (see `AtomicFile`).
public enum FileInstaller {
    /// What a refusal suggests for the files of a certs directory, where a renewal has its own file.
    public static let certsDirectoryRemedy = "use --force to replace it, keeping the old one as a dated backup; or --file new for a renewal"

    /// Refuses early, before expensive work such as key generation, when `path` exists.
    public static func ensureFree(_ path: String, kind: String, force: Bool, remedy: String = certsDirectoryRemedy) throws {
        if !force && FileReading.exists(path) {
            throw MailTLSError(path, "already exists, and a \(kind) is never replaced silently", remedy: remedy)
        }
    }

    public static func install(_ text: String, at path: String, kind: String, mode: AtomicFile.Mode,
                               force: Bool, now: Date, durable: Bool = true, remedy: String = certsDirectoryRemedy) throws -> WrittenFile {
        try ensureFree(path, kind: kind, force: force, remedy: remedy)
        let backup = force ? try AtomicFile.backUp(path, stamp: UTCTimestamp.compact(now)) : nil
        do {
            try AtomicFile.write(text, to: path, mode: mode, existing: force ? .replace : .refuse, durable: durable)
        } catch {
            // The old file is still in place; a backup of it would only be clutter.
            if let backup { unlink(backup) }
            throw error
        }
        return WrittenFile(path: path, backup: backup, kind: kind)
    }
}
