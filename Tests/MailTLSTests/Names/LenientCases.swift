import SwiftASN1
import Testing
@testable import MailTLS

/// One subject and what OpenSSL does with it.
struct LenientCase: Sendable, CustomTestStringConvertible {
    var name: String
    var subject: [UInt8]
    /// nil when OpenSSL loads it; else words mailtls's refusal must contain.
    var refusal: String?

    var testDescription: String { name }

    static let commonName = TestDER.oid("2.5.4.3")

    /// `SEQUENCE { SET { SEQUENCE { CN, value } } }`, each level in the form given.
    static func name(_ value: [UInt8], ava: LenientBytes.Form = .minimal, rdn: LenientBytes.Form = .minimal,
                     name: LenientBytes.Form = .minimal) -> [UInt8] {
        LenientBytes.tlv([0x30], LenientBytes.tlv([0x31], LenientBytes.tlv([0x30], commonName + value, ava), rdn), name)
    }

    static func chunks(_ tag: UInt8, _ parts: [[UInt8]], _ form: LenientBytes.Form = .indefinite) -> [UInt8] {
        LenientBytes.tlv([tag], parts.flatMap { $0 }, form)
    }

    static func utf8(_ text: String, _ form: LenientBytes.Form = .minimal) -> [UInt8] {
        LenientBytes.tlv([0x0C], Array(text.utf8), form)
    }

    static func nested(_ levels: Int) -> [UInt8] {
        (0..<levels).reduce(utf8("abc")) { inner, _ in chunks(0x2C, [inner]) }
    }

    static func h(_ text: String) -> [UInt8] { LenientBytes.hex(text) }
    static func cn(_ value: [UInt8]) -> [UInt8] { name(value) }

    static let all: [LenientCase] = [
        // Length forms OpenSSL reads.
        LenientCase(name: "long-81", subject: cn(utf8("abc", .long(1)))),
        LenientCase(name: "long-82-leading-zero", subject: cn(utf8("abc", .long(2)))),
        LenientCase(name: "long-83-leading-zeros", subject: cn(utf8("abc", .long(3)))),
        LenientCase(name: "long-9-octets-8-significant", subject: cn(utf8("abc", .long(9)))),
        LenientCase(name: "long-attribute", subject: name(utf8("abc"), ava: .long(2))),
        LenientCase(name: "long-rdn", subject: name(utf8("abc"), rdn: .long(1))),
        LenientCase(name: "long-name", subject: name(utf8("abc"), name: .long(4))),
        LenientCase(name: "long-oid", subject: LenientBytes.tlv([0x30], LenientBytes.tlv([0x31], LenientBytes.tlv([0x30],
                    LenientBytes.tlv([0x06], h("55 04 03"), .long(1)) + utf8("a"))))),
        LenientCase(name: "indefinite-name", subject: name(utf8("a"), name: .indefinite)),
        LenientCase(name: "indefinite-rdn", subject: name(utf8("a"), rdn: .indefinite)),
        LenientCase(name: "indefinite-attribute", subject: name(utf8("a"), ava: .indefinite)),
        LenientCase(name: "empty-long-before-marker", subject: name(h("0c 81 00"), ava: .indefinite)),
        LenientCase(name: "indefinite-two-values", subject: LenientBytes.tlv([0x30], LenientBytes.tlv([0x31],
                    LenientBytes.tlv([0x30], commonName + utf8("b")) + LenientBytes.tlv([0x30], commonName + utf8("a")), .indefinite))),
        LenientCase(name: "primitive-tagged-name", subject: LenientBytes.tlv([0x10], LenientBytes.tlv([0x31], LenientBytes.tlv([0x30], commonName + utf8("a"))))),
        LenientCase(name: "primitive-tagged-rdn", subject: LenientBytes.tlv([0x30], LenientBytes.tlv([0x11], LenientBytes.tlv([0x30], commonName + utf8("a"))))),
        LenientCase(name: "empty-rdn-long-first", subject: LenientBytes.tlv([0x30], h("31 81 00") + LenientBytes.tlv([0x31], LenientBytes.tlv([0x30], commonName + utf8("a"))))),
        LenientCase(name: "high-tag-utf8", subject: cn(h("1f 0c 01 61"))),
        LenientCase(name: "high-tag-utf8-padded", subject: cn(h("1f 80 0c 01 61"))),
        // Strings in constructed (chunked) form.
        LenientCase(name: "chunked-indefinite", subject: cn(chunks(0x2C, [utf8("ab"), utf8("c")]))),
        LenientCase(name: "chunked-definite", subject: cn(chunks(0x2C, [utf8("ab"), utf8("c")], .minimal))),
        LenientCase(name: "chunked-definite-long", subject: cn(chunks(0x2C, [utf8("abc", .long(3))], .long(2)))),
        LenientCase(name: "chunked-nested", subject: cn(chunks(0x2C, [chunks(0x2C, [utf8("ab")]), utf8("c")]))),
        LenientCase(name: "chunked-5-levels-inside", subject: cn(nested(6))),
        LenientCase(name: "chunked-mixed-types", subject: cn(chunks(0x2C, [LenientBytes.tlv([0x04], h("61 62")), LenientBytes.tlv([0x13], h("63")),
                                                                           LenientBytes.tlv([0x82], h("64")), LenientBytes.tlv([0xC1], h("65"))]))),
        LenientCase(name: "chunked-sequence-chunk", subject: cn(chunks(0x2C, [LenientBytes.tlv([0x30], utf8("a"))]))),
        LenientCase(name: "chunked-empty-chunks", subject: cn(chunks(0x2C, [utf8(""), utf8("abc"), utf8("")]))),
        LenientCase(name: "chunked-empty", subject: cn(chunks(0x2C, [], .minimal))),
        LenientCase(name: "chunked-printable", subject: cn(chunks(0x33, [LenientBytes.tlv([0x13], Array("Ab  C".utf8))]))),
        LenientCase(name: "chunked-bmp-odd-chunks", subject: cn(chunks(0x3E, [LenientBytes.tlv([0x1E], h("00")), LenientBytes.tlv([0x1E], h("61 00 62"))]))),
        LenientCase(name: "chunked-utf8-split-character", subject: cn(chunks(0x2C, [LenientBytes.tlv([0x0C], h("c3")), LenientBytes.tlv([0x0C], h("a9"))]))),
        LenientCase(name: "chunked-numeric", subject: cn(chunks(0x32, [LenientBytes.tlv([0x04], h("31")), LenientBytes.tlv([0x04], h("32"))], .minimal))),
        LenientCase(name: "chunked-unknown-type-7", subject: cn(chunks(0x27, [LenientBytes.tlv([0x04], h("61")), LenientBytes.tlv([0x04], h("62"))], .minimal))),
        LenientCase(name: "chunked-bit-string", subject: cn(chunks(0x23, [LenientBytes.tlv([0x03], h("03 61")), LenientBytes.tlv([0x03], h("ff"))], .minimal))),
        LenientCase(name: "bit-string-only-unused-bits", subject: cn(h("03 01 07"))),
        LenientCase(name: "sequence-value-with-ber-inside", subject: cn(LenientBytes.tlv([0x30], utf8("a", .long(1)) + utf8("b")))),
        LenientCase(name: "sequence-value-indefinite", subject: cn(LenientBytes.tlv([0x30], utf8("a") + utf8("b"), .indefinite))),
        // Just past OpenSSL's limits.
        LenientCase(name: "deeply-nested", subject: cn(nested(7)), refusal: "more than 5 levels deep"),
        LenientCase(name: "indefinite-primitive", subject: cn(h("0c 80 61 62 63 00 00")), refusal: "indefinite length form"),
        LenientCase(name: "empty-long-last", subject: cn(h("0c 81 00")), refusal: "no room"),
        LenientCase(name: "long-9-significant-octets", subject: cn(h("0c 89 01 00 00 00 00 00 00 00 03 61 62 63")), refusal: "more than 8 significant octets"),
        LenientCase(name: "marker-in-definite-string", subject: cn(chunks(0x2C, [utf8("ab"), utf8("c"), h("00 00")], .minimal)), refusal: "end-of-contents marker"),
        LenientCase(name: "marker-in-definite-name", subject: LenientBytes.tlv([0x30], LenientBytes.tlv([0x31], LenientBytes.tlv([0x30], commonName + utf8("a"))) + h("00 00")),
                    refusal: "end-of-contents marker"),
        LenientCase(name: "chunk-cut-off", subject: cn(chunks(0x2C, [utf8("a"), h("0c")], .minimal)), refusal: "cut off"),
        LenientCase(name: "chunked-missing-marker", subject: cn(h("2c 80 0c 01 61")), refusal: "no end-of-contents marker"),
        LenientCase(name: "chunked-visible-string", subject: cn(chunks(0x3A, [LenientBytes.tlv([0x1A], h("61"))])), refusal: "VisibleString"),
        LenientCase(name: "chunked-octet-string", subject: cn(chunks(0x24, [LenientBytes.tlv([0x04], h("61"))])), refusal: "OCTET STRING"),
        LenientCase(name: "chunked-bmp-odd-total", subject: cn(chunks(0x3E, [LenientBytes.tlv([0x1E], h("00")), LenientBytes.tlv([0x1E], h("61 00"))])),
                    refusal: "multiple of 2"),
        LenientCase(name: "chunked-utf8-invalid", subject: cn(chunks(0x2C, [LenientBytes.tlv([0x0C], h("c3")), LenientBytes.tlv([0x0C], h("41"))])),
                    refusal: "not valid UTF-8"),
        LenientCase(name: "sequence-value-primitive", subject: cn(h("10 02 61 62")), refusal: "primitive form"),
        LenientCase(name: "attribute-primitive", subject: LenientBytes.tlv([0x30], LenientBytes.tlv([0x31], LenientBytes.tlv([0x10], commonName + utf8("a")))),
                    refusal: "not a constructed SEQUENCE"),
        LenientCase(name: "oid-constructed", subject: LenientBytes.tlv([0x30], LenientBytes.tlv([0x31], LenientBytes.tlv([0x30],
                    LenientBytes.tlv([0x26], commonName) + utf8("a")))), refusal: "object identifier"),
        LenientCase(name: "bit-string-empty", subject: cn(h("03 00")), refusal: "BIT STRING in the name is empty"),
        LenientCase(name: "bit-string-8-unused", subject: cn(h("03 02 08 61")), refusal: "8 unused bits"),
        LenientCase(name: "empty-rdn-long-last", subject: LenientBytes.tlv([0x30], LenientBytes.tlv([0x31], LenientBytes.tlv([0x30], commonName + utf8("a"))) + h("31 81 00")),
                    refusal: "no room"),
        LenientCase(name: "context-tagged-value", subject: cn(h("8c 01 61")), refusal: "non-universal tag"),
    ]
}

/// Hand-built BER for the cases.
enum LenientBytes {
    enum Form: Sendable {
        case minimal
        /// The long form with this many length octets (leading zeros as needed; more when
        /// the length needs more).
        case long(Int)
        case indefinite
    }

    static func tlv(_ tag: [UInt8], _ content: [UInt8], _ form: Form = .minimal) -> [UInt8] {
        switch form {
        case .minimal:
            var out = tag
            OpenSSLBER.appendLength(content.count, to: &out)
            return out + content
        case .long(let octets):
            var length: [UInt8] = []
            var rest = content.count
            while length.count < octets || rest > 0 { length.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
            return tag + [0x80 | UInt8(length.count)] + length + content
        case .indefinite:
            return tag + [0x80] + content + [0, 0]
        }
    }

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// A DER certificate with the value of its subject's CN replaced by `value`, the
    /// enclosing lengths recomputed in minimal form (read with swift-asn1, strictly).
    static func replacingCommonName(in certificate: [UInt8], with value: [UInt8]) throws -> [UInt8] {
        let root = try DER.parse(certificate)
        guard case .constructed(let parts) = root.content, let tbs = parts.first(where: { _ in true }),
              case .constructed(let fieldNodes) = tbs.content else { throw LenientCaseError.shape }
        var fields = Array(fieldNodes).map { Array($0.encodedBytes) }
        let subjectIndex = 5
        let subject = try DER.parse(fields[subjectIndex])
        guard case .constructed(let rdns) = subject.content else { throw LenientCaseError.shape }
        var newRDNs: [UInt8] = []
        for rdn in rdns {
            guard case .constructed(let avas) = rdn.content, let ava = avas.first(where: { _ in true }),
                  case .constructed(let pair) = ava.content, let type = pair.first(where: { _ in true }) else { throw LenientCaseError.shape }
            if Array(type.encodedBytes) == LenientCase.commonName {
                newRDNs += tlv([0x31], tlv([0x30], LenientCase.commonName + value))
            } else {
                newRDNs += Array(rdn.encodedBytes)
            }
        }
        fields[subjectIndex] = tlv([0x30], newRDNs)
        let rest = Array(parts).dropFirst().flatMap { Array($0.encodedBytes) }
        return tlv([0x30], tlv([0x30], fields.flatMap { $0 }) + rest)
    }

    enum LenientCaseError: Error { case shape }
}
