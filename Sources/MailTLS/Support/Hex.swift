/// Hex text for digests and serial numbers, and the one hex decoder.
public enum Hex {
    private static let lowerDigits = Array("0123456789abcdef".utf8)
    private static let upperDigits = Array("0123456789ABCDEF".utf8)

    /// `0a1b2c`
    public static func lower(_ bytes: some Sequence<UInt8>) -> String {
        encode(bytes, digits: lowerDigits, separator: nil)
    }

    /// `0A:1B:2C`, OpenSSL's fingerprint form.
    public static func colonUpper(_ bytes: some Sequence<UInt8>) -> String {
        encode(bytes, digits: upperDigits, separator: UInt8(ascii: ":"))
    }

    private static func encode(_ bytes: some Sequence<UInt8>, digits: [UInt8], separator: UInt8?) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            if let separator, !out.isEmpty { out.append(separator) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of one hex digit; upper-case digits only when `upperCase` allows them.
    public static func digitValue(_ byte: UInt8, upperCase: Bool = true) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F") where upperCase: return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Hex digits to bytes; nil for an odd count or another character.
    public static func decode(_ digits: some Collection<UInt8>, upperCase: Bool = true) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index != digits.endIndex {
            let next = digits.index(after: index)
            guard let high = digitValue(digits[index], upperCase: upperCase), let low = digitValue(digits[next], upperCase: upperCase) else { return nil }
            bytes.append(high << 4 | low)
            index = digits.index(after: next)
        }
        return bytes
    }
}
