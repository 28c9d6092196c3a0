#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// `mailtls promote`: the end of a renewal. Checks that `new.cert` is good, keeps dated
/// backups of `host.*`, and moves `new.*` into place, all or nothing.
public enum Promotion {
    /// One file to move into place.
    public struct Move: Sendable, Equatable, Codable {
        public var from: String
        public var to: String
        public var kind: String
    }

    /// What promote will do, computed and checked before anything changes.
    public struct Plan: Sendable, Equatable {
        public var moves: [Move]
        /// Whether the renewal keeps the old key (no new.key): DANE 3 1 1 records stay valid.
        public var keepsKey: Bool
        public var notValidAfter: Date
        public var directory: String
    }

    /// What promote did.
    public struct Result: Sendable, Equatable {
        public var moves: [Move]
        public var backups: [String]
        public var keepsKey: Bool
    }

    /// The two stems are plain file names, and differ (checked before anything is read).
    public static func checkStems(from: String, to: String) throws {
        _ = try CertsLayout(directory: ".", stem: from).validated(option: "--from")
        _ = try CertsLayout(directory: ".", stem: to).validated(option: "--to")
        guard from != to else {
            throw MailTLSError("--from \(from)", "is the same as --to", remedy: "promote new.* to host.*: mailtls promote --from new --to host")
        }
    }

    /// Checks the new files and plans the moves. Throws (changing nothing) unless `from.cert`
    /// exists, parses, is valid now and matches the key it will be used with.
    public static func plan(from: CertsLayout, to: CertsLayout, now: Date = Date()) throws -> Plan {
        try checkStems(from: from.stem, to: to.stem)
        guard FileReading.exists(from.certificatePath) else {
            throw MailTLSError(from.certificatePath, "no such file, so there is nothing to promote",
                               remedy: "put the certificate the CA returned for \(from.requestPath) there, or make one with mailtls self --file \(from.stem)")
        }
        let (certificate, _) = try MaterialFile.load(from.certificatePath).firstCertificate()
        let keepsKey = !FileReading.exists(from.keyPath)
        let keyPath = keepsKey ? to.keyPath : from.keyPath
        let key = try MaterialFile.load(keyPath).privateKey()
        guard key.publicKey == certificate.publicKey else {
            throw MailTLSError(from.certificatePath, "does not match the key \(keyPath)",
                               remedy: "promote the certificate issued for that key's request")
        }
        if now < certificate.notValidBefore {
            throw MailTLSError(from.certificatePath, "is not valid before \(UTCTimestamp.readable(certificate.notValidBefore))",
                               remedy: "promote it after that time, or check this machine's clock")
        }
        if now > certificate.notValidAfter {
            throw MailTLSError(from.certificatePath, "expired on \(UTCTimestamp.readable(certificate.notValidAfter))",
                               remedy: "get a new certificate for \(from.requestPath)")
        }
        var moves: [Move] = []
        if !keepsKey { moves.append(Move(from: from.keyPath, to: to.keyPath, kind: "key")) }
        moves.append(Move(from: from.certificatePath, to: to.certificatePath, kind: "certificate"))
        if FileReading.exists(from.requestPath) {
            moves.append(Move(from: from.requestPath, to: to.requestPath, kind: "request"))
        }
        // Chain files from `mailtls ca sign` travel with their certificate.
        if FileReading.exists(from.chainPath) { moves.append(Move(from: from.chainPath, to: to.chainPath, kind: "chain")) }
        if FileReading.exists(from.fullChainPath) { moves.append(Move(from: from.fullChainPath, to: to.fullChainPath, kind: "full chain")) }
        for move in moves where !FileReading.isRegularFile(move.from) {
            throw MailTLSError(move.from, "is not a regular file", remedy: "replace it with the \(move.kind) file, or remove it")
        }
        return Plan(moves: moves, keepsKey: keepsKey, notValidAfter: certificate.notValidAfter, directory: to.directory)
    }

    /// Carries out `plan`: backups first (hard links, so they cost nothing and keep modes),
    /// then one `rename` per file. If any step fails, every step already taken is undone.
    public static func apply(_ plan: Plan, now: Date = Date()) throws -> Result {
        let lock = try DirectoryLock(plan.directory)
        defer { lock.release() }
        return try applyLocked(plan, now: now, move: { rename($0, $1) })
    }

    /// Plans and applies under one hold of the directory lock, so a second promote running
    /// at the same time either waits its turn out (refused as busy) or finds nothing left to
    /// promote — never a half-moved set it planned before the first one ran.
    public static func run(from: CertsLayout, to: CertsLayout, now: Date = Date()) throws -> (plan: Plan, result: Result) {
        let lock = try DirectoryLock(to.directory)
        defer { lock.release() }
        let plan = try self.plan(from: from, to: to, now: now)
        return (plan, try applyLocked(plan, now: now, move: { rename($0, $1) }))
    }

    /// `apply` with the rename step injectable, so tests can make a move fail half-way.
    static func apply(_ plan: Plan, now: Date, move moveFile: (String, String) -> Int32) throws -> Result {
        let lock = try DirectoryLock(plan.directory)
        defer { lock.release() }
        return try applyLocked(plan, now: now, move: moveFile)
    }

    /// The moves themselves; the caller holds the directory lock.
    private static func applyLocked(_ plan: Plan, now: Date, move moveFile: (String, String) -> Int32) throws -> Result {
        let stamp = UTCTimestamp.compact(now)
        var backups: [(target: String, backup: String)] = []
        var done: [Move] = []
        do {
            for move in plan.moves {
                if let backup = try AtomicFile.backUp(move.to, stamp: stamp) { backups.append((move.to, backup)) }
            }
            for move in plan.moves {
                guard moveFile(move.from, move.to) == 0 else {
                    throw MailTLSError.system(move.to, "move \(move.from) into place", errno: errno)
                }
                done.append(move)
            }
        } catch {
            undo(done: done, backups: backups)
            throw error
        }
        AtomicFile.syncDirectory(of: plan.moves[0].to)
        return Result(moves: plan.moves, backups: backups.map(\.backup), keepsKey: plan.keepsKey)
    }

    /// Puts the directory back as it was: moved files return to their old names, and each
    /// backup link becomes the file again (or is dropped, when its file was never replaced).
    private static func undo(done: [Move], backups: [(target: String, backup: String)]) {
        for move in done.reversed() { rename(move.to, move.from) }
        for (target, backup) in backups {
            if done.contains(where: { $0.to == target }) {
                rename(backup, target)
            } else {
                unlink(backup)
            }
        }
    }
}
