#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CAIndex.Entry {
    /// Where a certificate the CA issued stands at a moment, for `ca list`.
    public enum Standing: Sendable, Equatable {
        /// In force, with whole days left (0 on its last day).
        case valid(daysLeft: Int)
        /// Past its notAfter, even by a second.
        case expired
        case revoked(RevocationReason?)
    }

    /// Decided by comparing dates: a certificate that expired an hour ago is expired, not
    /// "valid, 0 days left" (which a day count truncated toward zero would make of it).
    public func standing(at now: Date) -> Standing {
        if status == .revoked { return .revoked(reason) }
        guard notAfter > now else { return .expired }
        return .valid(daysLeft: daysLeft(at: now))
    }

    /// Whole days until notAfter, rounded down: negative once it has passed.
    public func daysLeft(at now: Date) -> Int {
        Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }
}
