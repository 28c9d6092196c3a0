/// Hex text for digests and serial numbers.
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
}
