#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `rollover next --records dns`: what DNS says about the rollover's records before the key
/// changes. The plan's rule is "publish both records, then wait at least 2 × TTL"; caches
/// elsewhere keep the set they took before the next key's record was there for up to its
/// TTL. The records cannot have been published before `plan` made `next.key`, so the switch
/// is safe at the earliest 2 × TTL after that file was written.
extension Rollover {
    public struct Publication: Sendable, Equatable {
        /// The TTL of the published RRset (the zone's, from its RRSIG).
        public var ttl: Int
        /// When `plan` wrote `next.key`: the earliest the next record can have been published.
        public var nextKeyMade: Date
        /// `nextKeyMade` + 2 × `ttl`.
        public var safeFrom: Date
        /// Whether the current key's record is still published (until the MTA switches,
        /// DANE senders need it).
        public var currentPublished: Bool
    }

    /// Checks `published` (DNSSEC-validated, with its TTL; without one, `options.ttl`) for the rollover: next.key's record
    /// must be there and the wait since `plan` must be over. Refuses, changing nothing, when
    /// DANE does not apply to the records (`published.note` without records), when next.key's
    /// record is missing, or when it is too early to switch.
    public static func checkPublication(_ options: Options, published: PublishedTLSA) throws -> Publication {
        let next = options.next
        guard FileReading.exists(next.keyPath) else {
            throw MailTLSError(next.keyPath, "no such file: there is no next key to roll over to",
                               remedy: "start with mailtls rollover plan, publish the records it prints, wait, then run rollover next")
        }
        if published.records.isEmpty, let note = published.note {
            throw MailTLSError(options.owner, note, remedy: "publish the records mailtls rollover plan printed in a DNSSEC-signed zone, then run rollover next again")
        }
        let nextKey = try MaterialFile.load(next.keyPath).privateKey().publicKey
        guard published.records.contains(where: { $0.usage == .daneEE && $0.matches(publicKey: nextKey) }) else {
            throw MailTLSError(published.origin, "does not hold next.key's record \(try options.record(nextKey).presentation) among its \(published.records.count) TLSA record\(published.records.count == 1 ? "" : "s")",
                               remedy: "publish the records mailtls rollover plan printed, wait at least 2 x TTL, then run rollover next again")
        }
        let ttl = published.ttl ?? options.ttl
        let current = try? currentPublicKey(options)
        let currentPublished = current.map { key in published.records.contains { $0.usage == .daneEE && $0.matches(publicKey: key) } } ?? false
        let made = (try? FileManager.default.attributesOfItem(atPath: next.keyPath)[.modificationDate] as? Date) ?? options.now
        let safeFrom = made.addingTimeInterval(TimeInterval(2 * ttl))
        guard options.now >= safeFrom else {
            throw MailTLSError(options.owner, "next.key's record is published and validated, but next.key was made \(UTCTimestamp.readable(made)) and caches may keep the record set they took before its record was there for up to the TTL (\(ttl) s): the switch is safe at the earliest \(UTCTimestamp.readable(safeFrom)) (2 x TTL after)",
                               remedy: "run mailtls rollover next --records dns again after \(UTCTimestamp.readable(safeFrom))")
        }
        return Publication(ttl: ttl, nextKeyMade: made, safeFrom: safeFrom, currentPublished: currentPublished)
    }
}
