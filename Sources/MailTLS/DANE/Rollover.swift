#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import X509

/// A DANE key rollover without an outage, as three steps (RFC 7671 §8.1, "current + next"):
///
/// 1. ``plan(_:)`` makes `next.key` and returns the record set to publish: the current key's
///    `3 1 1` and the next key's. Publish both and wait until every cached copy of the old
///    set has expired: at least twice the TTL.
/// 2. ``next(_:)`` checks that the next key's record is published (in the records the admin
///    gives, or in DNS through a validating resolver, where ``checkPublication(_:published:)``
///    also checks the 2 × TTL wait is over), then gives `next.key` a certificate
///    (a self-signed one, one the CA returned as `next.cert`, or a request `next.csr` to send)
///    and promotes it over `host.*`, keeping dated backups.
/// 3. ``finish(_:)`` returns the record set without the old key, to publish once the MTA
///    runs with the new key.
///
/// Renewals that keep the key (`mailtls csr --file new` + `promote`, `mailtls ca renew`)
/// need no rollover: the `3 1 1` record stays valid. Only a key change does.
public enum Rollover {
    /// The stem of the key waiting to take over.
    public static let nextStem = "next"

    /// What the steps are told.
    public struct Options: Sendable {
        public var directory: String
        /// The stem in service (`host`).
        public var stem: String
        /// Owner name parts for the printed records.
        public var host: String
        public var port: Int
        /// The TTL of the TLSA RRset, to compute the wait.
        public var ttl: Int
        /// Matching type of the records (selector is always 1: the key is what rolls over).
        public var matchingType: TLSARecord.MatchingType
        public var now: Date

        public init(directory: String = ".", stem: String = "host", host: String, port: Int = 25, ttl: Int = 3600,
                    matchingType: TLSARecord.MatchingType = .sha256, now: Date = Date()) {
            self.directory = directory
            self.stem = stem
            self.host = host
            self.port = port
            self.ttl = ttl
            self.matchingType = matchingType
            self.now = now
        }

        var current: CertsLayout { CertsLayout(directory: directory, stem: stem) }
        var next: CertsLayout { CertsLayout(directory: directory, stem: Rollover.nextStem) }
        public var owner: String { TLSAOwner.name(host: host, port: port) }

        func record(_ key: Certificate.PublicKey) throws -> TLSARecord {
            try TLSARecord(publicKey: key, usage: .daneEE, matchingType: matchingType)
        }
    }

    /// A record set to publish, with where each record comes from.
    public struct RecordSet: Sendable, Equatable {
        public struct Item: Sendable, Equatable {
            public var record: TLSARecord
            /// `current key (host.key)`, `next key (next.key)`.
            public var role: String
        }
        public var owner: String
        public var items: [Item]
        public var records: [TLSARecord] { items.map(\.record) }
    }

    /// What `plan` did and what the admin does next.
    public struct PlanResult: Sendable {
        public var written: WrittenFile?
        /// Whether an existing `next.key` was kept (running `plan` again shows the same set).
        public var reusedNextKey: Bool
        public var nextKeyDescription: String
        public var publish: RecordSet
        /// Seconds to wait after publishing before `rollover next`: at least 2 × TTL.
        public var waitSeconds: Int
    }

    /// Step 1: makes `next.key` (0600) unless it exists, and returns the set to publish.
    ///
    /// - Parameters:
    ///   - keyOptions: the next key's type; nil means the same type and size as the current key.
    ///   - force: replace an existing `next.key` (kept as a dated backup) instead of reusing it.
    public static func plan(_ options: Options, keyOptions: KeyOptions? = nil, force: Bool = false) throws -> PlanResult {
        try checkTTL(options.ttl)
        let currentKey = try currentPublicKey(options)
        let next = options.next
        var written: WrittenFile?
        let nextKey: Certificate.PublicKey
        let reused = FileReading.exists(next.keyPath) && !force
        if reused {
            nextKey = try MaterialFile.load(next.keyPath).privateKey().publicKey
        } else {
            let made = try KeyMaker.make(next, options: keyOptions ?? sameKind(as: currentKey), force: force, now: options.now)
            nextKey = made.key.publicKey
            written = made.written
        }
        if nextKey == currentKey {
            throw MailTLSError(next.keyPath, "is the same key as \(options.current.keyPath)", remedy: "remove it and run mailtls rollover plan again")
        }
        let set = RecordSet(owner: options.owner, items: [
            .init(record: try options.record(currentKey), role: "current key (\(Paths.fileName(of: options.current.keyPath)))"),
            .init(record: try options.record(nextKey), role: "next key (\(Paths.fileName(of: next.keyPath)))"),
        ])
        return PlanResult(written: written, reusedNextKey: reused, nextKeyDescription: KeyDescription(nextKey).text,
                          publish: set, waitSeconds: 2 * options.ttl)
    }

    /// How `next` gets a certificate for `next.key` when the CA has not returned `next.cert` yet.
    public enum Issuing: Sendable, Equatable {
        /// Write `next.csr` (the current certificate's subject and names) and stop, for a CA to sign.
        case request
        /// Write `next.csr` and a self-signed `next.cert` valid for `days`, and promote it.
        case selfSigned(days: Int)
    }

    /// What `next` did.
    public struct NextResult: Sendable {
        /// The record of the next key that was found among the published ones.
        public var nextRecord: TLSARecord
        public var written: [WrittenFile]
        /// nil when `next` stopped after writing `next.csr` (waiting for the CA).
        public var promotion: Promotion.Result?
        public var notValidAfter: Date?
    }

    /// Step 2: checks the next key's record is in `published`, gets `next.key` a certificate,
    /// and promotes it (dated backups of `host.key`, `host.cert`, `host.csr`). Refuses, changing
    /// nothing, when `next.key` is missing or its record is not published.
    ///
    /// - Parameters:
    ///   - published: the TLSA records as published (from `--records FILE`, stdin or DNS).
    ///   - publishedSource: where they came from, for messages.
    public static func next(_ options: Options, published: [TLSARecord], publishedSource: String, issuing: Issuing) throws -> NextResult {
        let next = options.next
        guard FileReading.exists(next.keyPath) else {
            throw MailTLSError(next.keyPath, "no such file: there is no next key to roll over to",
                               remedy: "start with mailtls rollover plan, publish the records it prints, wait, then run rollover next")
        }
        let nextKey = try MaterialFile.load(next.keyPath).privateKey()
        let nextRecord = try options.record(nextKey.publicKey)
        guard published.contains(where: { $0.matches(publicKey: nextKey.publicKey) && ($0.usage == .daneEE) }) else {
            throw MailTLSError(publishedSource, "does not hold next.key's record \(nextRecord.presentation) among its \(published.count) TLSA record\(published.count == 1 ? "" : "s")",
                               remedy: "publish the records mailtls rollover plan printed, wait at least 2 x TTL, then give the records as published, e.g. dig +short TLSA \(options.owner)")
        }
        let (currentCertificate, _) = try MaterialFile.load(options.current.certificatePath).firstCertificate()
        var written: [WrittenFile] = []
        if !FileReading.exists(next.certificatePath) {
            if FileReading.exists(next.requestPath), issuing == .request {
                throw MailTLSError(next.certificatePath, "no such file yet: \(next.requestPath) is waiting for its certificate",
                                   remedy: "put the certificate the CA returned for \(next.requestPath) there (mailtls ca sign \(next.requestPath)), or use --self")
            }
            if !FileReading.exists(next.requestPath) {
                let subject = try SubjectParser.parse(NameFormatter.slashForm(currentCertificate.subject))
                var names = SubjectAltNames()
                if case .some(.some(let altNames)) = try? currentCertificate.extensions.subjectAlternativeNames {
                    names = SubjectAltNames(Array(altNames))
                }
                written += try RequestWriter.write(next, subject: subject, altNames: names, keyOptions: KeyOptions(), force: false, now: options.now)
            }
            guard case .selfSigned(let days) = issuing else {
                return NextResult(nextRecord: nextRecord, written: written, promotion: nil, notValidAfter: nil)
            }
            written += try SelfSignedWriter.write(next, source: .request(path: next.requestPath, extraNames: SubjectAltNames()),
                                                  days: days, keyOptions: KeyOptions(), force: false, now: options.now)
        }
        let plan = try Promotion.plan(from: next, to: options.current, now: options.now)
        let result = try Promotion.apply(plan, now: options.now)
        return NextResult(nextRecord: nextRecord, written: written, promotion: result, notValidAfter: plan.notValidAfter)
    }

    /// What `finish` found.
    public struct FinishResult: Sendable {
        /// The set to publish from now on: the key in service only.
        public var publish: RecordSet
        /// The old key's record, from the newest `host.key.<time>` backup, to remove.
        public var remove: [TLSARecord]
        /// The backup the old record was computed from.
        public var oldKeyBackup: String?
    }

    /// Step 3: the record set without the old key. Refuses while `next.key` is still there
    /// (the rollover has not happened) or when `host.cert` does not match `host.key`.
    public static func finish(_ options: Options) throws -> FinishResult {
        let next = options.next
        if FileReading.exists(next.keyPath) {
            throw MailTLSError(next.keyPath, "still exists: the rollover has not been done",
                               remedy: "run mailtls rollover next --records dns (or --records FILE) first")
        }
        let current = try currentPublicKey(options)
        let (certificate, _) = try MaterialFile.load(options.current.certificatePath).firstCertificate()
        guard certificate.publicKey == current else {
            throw MailTLSError(options.current.certificatePath, "does not match \(options.current.keyPath)",
                               remedy: "put the certificate for that key in place (mailtls promote) before finishing")
        }
        let keep = try options.record(current)
        var remove: [TLSARecord] = []
        let backup = newestKeyBackup(options.current)
        if let backup, let old = try? MaterialFile.load(backup).privateKey().publicKey, old != current {
            remove.append(try options.record(old))
        }
        return FinishResult(publish: RecordSet(owner: options.owner, items: [.init(record: keep, role: "current key (\(Paths.fileName(of: options.current.keyPath)))")]),
                            remove: remove, oldKeyBackup: remove.isEmpty ? nil : backup)
    }

    /// The newest `host.key.<UTC time>` backup (the names sort by time).
    static func newestKeyBackup(_ layout: CertsLayout) -> String? {
        let prefix = Paths.fileName(of: layout.keyPath) + "."
        var best: String?
        for name in DirectoryEntries.names(in: layout.directory) ?? [] {
            guard name.hasPrefix(prefix), name.dropFirst(prefix.count).first?.isNumber == true else { continue }
            if best.map({ backupOrder(name) > backupOrder($0) }) ?? true { best = name }
        }
        return best.map { Paths.join(layout.directory, $0) }
    }

    /// `20261126T101500Z.2` sorts after `20261126T101500Z.1` and `20261126T101500Z`.
    private static func backupOrder(_ name: String) -> (String, Int) {
        let parts = name.split(separator: ".")
        let stamp = parts.first(where: { $0.hasSuffix("Z") }).map(String.init) ?? ""
        let counter = parts.last.flatMap { Int($0) } ?? 0
        return (stamp, counter)
    }

    static func currentPublicKey(_ options: Options) throws -> Certificate.PublicKey {
        let layout = options.current
        if FileReading.exists(layout.keyPath) { return try MaterialFile.load(layout.keyPath).privateKey().publicKey }
        throw MailTLSError(layout.keyPath, "no such file: there is no key in service to roll over from",
                           remedy: "make the key and certificate first (mailtls setup, or mailtls rsa and mailtls self)")
    }

    private static func sameKind(as key: Certificate.PublicKey) -> KeyOptions {
        let description = KeyDescription(key)
        switch (description.type, description.curve) {
        case ("RSA", _): return KeyOptions(algorithm: .rsa, bits: KeyAlgorithm.rsaSizes.contains(description.bits) ? description.bits : 2048)
        case ("ECDSA", "P-384"): return KeyOptions(algorithm: .ecdsaP384)
        case ("ECDSA", _): return KeyOptions(algorithm: .ecdsaP256)
        default: return KeyOptions(algorithm: .ed25519)
        }
    }

    /// A TLSA TTL is 1 s to a week.
    public static func checkTTL(_ ttl: Int) throws {
        guard (1...604_800).contains(ttl) else {
            throw MailTLSError("--ttl \(ttl)", "is not a TTL in seconds from 1 to 604800", remedy: "give the TTL of the TLSA records, e.g. --ttl 3600")
        }
    }
}
