#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A report's `start-datetime` / `end-datetime` (RFC 3339 `date-time`): `2026-11-30T00:00:00Z`,
/// with optional fractional seconds and a `Z` or `±hh:mm` offset; `t`, `z` and a space in
/// place of `T` are taken too, as RFC 3339 §5.6 allows.
enum TLSRPTDate {
    static func date(_ text: String) -> Date? {
        var bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        if bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " ") { bytes[10] = UInt8(ascii: "T") }
        var rest = bytes[19...]
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            let digits = rest.prefix { (0x30...0x39).contains($0) }
            guard !digits.isEmpty else { return nil }
            rest = rest.dropFirst(digits.count)
        }
        var offset = 0
        switch rest.first {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard rest.count == 1 else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let zone = Array(rest)
            guard zone.count == 6, zone[3] == UInt8(ascii: ":"),
                  let hours = Int(String(decoding: zone[1..<3], as: UTF8.self)), let minutes = Int(String(decoding: zone[4..<6], as: UTF8.self)),
                  zone[1...2].allSatisfy({ (0x30...0x39).contains($0) }), zone[4...5].allSatisfy({ (0x30...0x39).contains($0) }),
                  hours < 24, minutes < 60 else { return nil }
            offset = (hours * 60 + minutes) * 60 * (zone[0] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        guard let local = UTCTimestamp.date(iso8601: String(decoding: bytes[0..<19], as: UTF8.self) + "Z") else { return nil }
        return local.addingTimeInterval(TimeInterval(-offset))
    }
}
