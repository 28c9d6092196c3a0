import SwiftASN1

/// The canonical encoding of a Name that OpenSSL hashes for `x509 -hash` and `rehash`
/// (`x509_name_canon` in OpenSSL's `x_name.c`).
///
/// OpenSSL finds a CA by hashing the *issuer* of the certificate it is checking and
/// looking for a link with that hash, so two spellings of one name (`Example` and
/// `EXAMPLE  `, a PrintableString and a UTF8String) must hash alike. It gets there by
/// rewriting each string value: converted to UTF-8, whitespace trimmed and collapsed,
/// ASCII lower-cased, re-tagged UTF8String. Everything here copies that rule byte for
/// byte, including its quirks (only A–Z change case; no outer SEQUENCE). The name is read
/// with OpenSSL's BER rules (`OpenSSLBER`), so chunked strings and long-form lengths hash as
/// OpenSSL hashes them.
enum CanonicalName {
    /// Why OpenSSL would refuse to load a name (and so gives its certificate no hash).
    struct Refusal: Error, Equatable {
        var reason: String
    }

    /// The canonical encoding of the Name whose bytes (outer SEQUENCE included, DER or the
    /// BER OpenSSL also reads, see `OpenSSLBER`) are `nameDER`: each RDN as a DER `SET OF` its
    /// canonical AVAs, the sets concatenated.
    static func encoding(ofNameDER nameDER: ArraySlice<UInt8>) throws -> [UInt8] {
        do {
            return try encoding(of: nameDER)
        } catch let malformed as OpenSSLBER.Malformed {
            throw Refusal(reason: malformed.reason)
        }
    }

    private static func encoding(of bytes: ArraySlice<UInt8>) throws -> [UInt8] {
        // A name is never the last thing in its certificate, CRL or request.
        let name = try OpenSSLBER.first(in: bytes, isInsideMore: true)
        // SEQUENCE OF and SET OF: OpenSSL checks the tag number and class, not the constructed bit.
        guard name.isUniversal(16) else { throw Refusal(reason: "the name is not a SEQUENCE") }
        var out: [UInt8] = []
        for rdn in try OpenSSLBER.children(of: name, in: bytes) {
            guard rdn.isUniversal(17) else { throw Refusal(reason: "a relative name is not a SET") }
            var encodedAVAs: [[UInt8]] = []
            for ava in try OpenSSLBER.children(of: rdn, in: bytes) {
                encodedAVAs.append(try canonicalAVA(ava, in: bytes))
            }
            // An empty RDN has no entries in OpenSSL's model, so it leaves no trace here.
            if encodedAVAs.isEmpty { continue }
            // DER SET OF order, as OpenSSL's encoder sorts: bytewise, then shorter first.
            encodedAVAs.sort { lhs, rhs in
                for (l, r) in zip(lhs, rhs) where l != r { return l < r }
                return lhs.count < rhs.count
            }
            let content = encodedAVAs.flatMap { $0 }
            appendTLV(tag: 0x31, content: content, to: &out)
        }
        return out
    }

    /// One `SEQUENCE { type OID, value }`, its value rewritten when it is a string type.
    private static func canonicalAVA(_ ava: OpenSSLBER.Element, in bytes: ArraySlice<UInt8>) throws -> [UInt8] {
        guard ava.isUniversal(16), ava.isConstructed else {
            throw Refusal(reason: "a name attribute is not a constructed SEQUENCE")
        }
        let parts = try OpenSSLBER.children(of: ava, in: bytes)
        guard parts.count == 2 else {
            throw Refusal(reason: "a name attribute does not have exactly a type and a value")
        }
        let type = parts[0]
        var content: [UInt8] = []
        appendTLV(tag: 0x06, content: Array(bytes[type.contentRange]), to: &content)
        guard type.isUniversal(6), !type.isConstructed, (try? ASN1ObjectIdentifier(derEncoded: content)) != nil else {
            throw Refusal(reason: "a name attribute's type is not a valid object identifier")
        }
        content += try canonicalValue(parts[1], in: bytes)
        var out: [UInt8] = []
        appendTLV(tag: 0x30, content: content, to: &out)
        return out
    }

    /// The value's canonical TLV, or a refusal for the types OpenSSL will not decode
    /// in a name (its `DirectoryString`-like `ASN1_PRINTABLE` choice).
    static func canonicalValue(_ value: OpenSSLBER.Element, in bytes: ArraySlice<UInt8>) throws -> [UInt8] {
        guard value.tagClass == 0 else {
            throw Refusal(reason: "a name value has a non-universal tag")
        }
        let tag = value.tagNumber
        guard let kind = ValueKind(tag: tag) else {
            throw Refusal(reason: "a name value is \(ValueKind.name(ofTag: tag)), which OpenSSL does not accept in a name")
        }
        // A string given in constructed (chunked) form is its chunks joined, as OpenSSL reads it.
        let content = { () throws(OpenSSLBER.Malformed) in try OpenSSLBER.stringContent(of: value, in: bytes) }
        var out: [UInt8] = []
        switch kind {
        case .sequence:
            // OpenSSL keeps a SEQUENCE value as received, header and all, without looking inside.
            guard value.isConstructed else { throw Refusal(reason: "a name value is a SEQUENCE in primitive form") }
            return Array(bytes[value.range])
        case .kept:
            appendTLV(tag: UInt8(tag), content: try content(), to: &out)
        case .bitString:
            appendTLV(tag: 0x03, content: try canonicalBitString(try content()), to: &out)
        case .text(let width):
            let utf8 = try utf8Text(try content()[...], width: width, tag: tag)
            appendTLV(tag: 0x0C, content: folded(utf8), to: &out)
        }
        return out
    }

    /// How OpenSSL treats a value by its universal tag number; nil when it refuses it.
    enum ValueKind: Equatable {
        /// A string type rewritten to canonical UTF-8; the width of one character in bytes
        /// (0 for UTF-8 itself).
        case text(width: Int)
        /// BIT STRING: kept, with the unused bits cleared as OpenSSL's decoder clears them.
        case bitString
        /// Kept as it is, re-encoded in primitive DER form (NumericString, and the tags OpenSSL
        /// files as "unknown").
        case kept
        /// SEQUENCE: kept exactly as received.
        case sequence

        init?(tag: UInt) {
            switch tag {
            case 12: self = .text(width: 0)            // UTF8String
            case 19, 20, 22: self = .text(width: 1)    // PrintableString, T61String, IA5String: Latin-1
            case 30: self = .text(width: 2)            // BMPString
            case 28: self = .text(width: 4)            // UniversalString
            case 3: self = .bitString
            case 16: self = .sequence
            case 7, 8, 9, 11, 13, 14, 15, 18, 29: self = .kept
            default: return nil
            }
        }

        static func name(ofTag tag: UInt) -> String {
            switch tag {
            case 1: return "a BOOLEAN"
            case 2: return "an INTEGER"
            case 4: return "an OCTET STRING"
            case 5: return "a NULL"
            case 6: return "an OBJECT IDENTIFIER"
            case 17: return "a SET"
            case 21: return "a VideotexString"
            case 23: return "a UTCTime"
            case 24: return "a GeneralizedTime"
            case 25: return "a GraphicString"
            case 26: return "a VisibleString"
            case 27: return "a GeneralString"
            default: return "universal type \(tag)"
            }
        }
    }

    /// The value as UTF-8, or a refusal where OpenSSL's `ASN1_STRING_to_UTF8` fails:
    /// invalid UTF-8, a BMP or Universal string of the wrong length, surrogates, or
    /// code points beyond U+10FFFF.
    private static func utf8Text(_ bytes: ArraySlice<UInt8>, width: Int, tag: UInt) throws -> [UInt8] {
        switch width {
        case 0:
            guard String(validating: bytes, as: UTF8.self) != nil else {
                throw Refusal(reason: "a UTF8String in the name is not valid UTF-8")
            }
            return Array(bytes)
        case 1:
            // Latin-1: ASCII stays one byte, 0x80...0xFF become two.
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            for byte in bytes { appendUTF8(UInt32(byte), to: &out) }
            return out
        default:
            let typeName = width == 2 ? "BMPString" : "UniversalString"
            guard bytes.count % width == 0 else {
                throw Refusal(reason: "a \(typeName) in the name has a length that is not a multiple of \(width)")
            }
            var out: [UInt8] = []
            var index = bytes.startIndex
            while index < bytes.endIndex {
                var scalar: UInt32 = 0
                for offset in 0..<width { scalar = scalar << 8 | UInt32(bytes[index + offset]) }
                index += width
                guard scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                    throw Refusal(reason: "a \(typeName) in the name holds an invalid character (U+\(String(scalar, radix: 16, uppercase: true)))")
                }
                appendUTF8(scalar, to: &out)
            }
            return out
        }
    }

    /// OpenSSL's `asn1_string_canon` on UTF-8 bytes: trim and collapse whitespace
    /// (09–0D and 20 only), lower-case A–Z, leave every other byte alone.
    static func folded(_ utf8: [UInt8]) -> [UInt8] {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var start = utf8.startIndex, end = utf8.endIndex
        while start < end && isSpace(utf8[start]) { start += 1 }
        while end > start && isSpace(utf8[end - 1]) { end -= 1 }
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var index = start
        while index < end {
            let byte = utf8[index]
            if isSpace(byte) {
                out.append(0x20)
                while index < end && isSpace(utf8[index]) { index += 1 }
            } else {
                out.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
                index += 1
            }
        }
        return out
    }

    /// A BIT STRING's contents as OpenSSL's decoder and encoder leave them: refused when
    /// empty or with more than 7 unused bits, unused bits zeroed, and no unused bits
    /// claimed when no bits are left.
    private static func canonicalBitString(_ content: [UInt8]) throws -> [UInt8] {
        guard let unused = content.first else { throw Refusal(reason: "a BIT STRING in the name is empty") }
        guard unused < 8 else { throw Refusal(reason: "a BIT STRING in the name claims \(unused) unused bits") }
        guard content.count > 1 else { return [0] }
        var out = content
        out[out.count - 1] &= UInt8(truncatingIfNeeded: 0xFF << unused)
        return out
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Appends a DER tag-length-value with a one-byte tag.
    static func appendTLV(tag: UInt8, content: [UInt8], to out: inout [UInt8]) {
        out.append(tag)
        let length = content.count
        if length < 0x80 {
            out.append(UInt8(length))
        } else {
            var lengthBytes: [UInt8] = []
            var rest = length
            while rest > 0 { lengthBytes.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
            out.append(0x80 | UInt8(lengthBytes.count))
            out += lengthBytes
        }
        out += content
    }
}
