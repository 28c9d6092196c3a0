/// Quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at the end of a line joins it to
/// the next; malformed escapes are kept as they are (the RFC's advice to decoders).
enum QuotedPrintable {
    static func decode(_ lines: ArraySlice<ArraySlice<UInt8>>) -> [UInt8] {
        var out: [UInt8] = []
        for (number, line) in lines.enumerated() {
            var line = line
            while let last = line.last, last == 0x20 || last == 0x09 { line = line.dropLast() } // transport padding
            var soft = false
            var index = line.startIndex
            while index < line.endIndex {
                let byte = line[index]
                if byte == UInt8(ascii: "=") {
                    if index + 1 == line.endIndex { soft = true; break }
                    if index + 2 < line.endIndex, let high = hexValue(line[index + 1]), let low = hexValue(line[index + 2]) {
                        out.append(high << 4 | low)
                        index += 3
                        continue
                    }
                }
                out.append(byte)
                index += 1
            }
            if !soft && number < lines.count - 1 { out += [0x0D, 0x0A] }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
