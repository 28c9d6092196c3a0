import Crypto
import Foundation
import SwiftASN1
import Testing
@testable import MailTLS

/// Random names (`RandomName`) re-encoded in random BER that OpenSSL may or may not accept
/// (long-form lengths of 1 to 9 octets, indefinite lengths, strings cut into chunks of
/// random tags, nested up to 7 levels), hashed by `openssl rehash` in one run per hash kind
/// and compared with `SubjectHash`: the boundary is searched at random, not only at the
/// cases above.
@Suite struct LenientNamePropertyTests {
    static let count = 1500

    @Test func randomBERNamesHashLikeOpenSSL() throws {
        var generator = SeededGenerator(seed: UInt64(Date().timeIntervalSince1970))
        let seed = generator.state
        let dir = TempDirectory("lenient-property")
        let spki = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
        var subjects: [String: [UInt8]] = [:]
        for index in 0..<Self.count {
            let name = RandomBER.reencode(try DER.parse(RandomName.make(using: &generator)), using: &generator)
            let file = String(format: "b%05d.pem", index)
            try dir.write(file, PEMScanner.encode(TestCertificate.der(subject: name, spki: spki, serial: UInt64(index + 1)), label: "CERTIFICATE"))
            subjects[file] = name
        }
        var refused = 0
        for kind in SubjectHash.Kind.allCases {
            try OpenSSL.run(kind == .new ? ["rehash", dir.path] : ["rehash", "-old", dir.path])
            let linked = try SubjectHashPropertyTests.links(in: dir.path)
            var mismatches: [String] = []
            refused = 0
            for (file, name) in subjects.sorted(by: { $0.key < $1.key }) {
                let ours = try? SubjectHash.text(SubjectHash.value(ofNameDER: name[...], kind: kind))
                if ours == nil { refused += 1 }
                if ours != linked[file] {
                    mismatches.append("\(file): ours \(ours ?? "refused"), openssl \(linked[file] ?? "no link"); name \(Hex.lower(name))")
                }
            }
            #expect(mismatches.isEmpty, "\(kind) hash, seed \(seed), \(mismatches.count) of \(Self.count) differ:\n\(mismatches.prefix(5).joined(separator: "\n"))")
        }
        // Both outcomes must be exercised.
        #expect(refused > 50 && refused < Self.count / 2, "refused \(refused)")
    }
}

/// Random BER spellings of a DER tree.
enum RandomBER {
    static func reencode(_ node: ASN1Node, using rng: inout SeededGenerator) -> [UInt8] {
        let first = Array(node.encodedBytes.prefix(1))
        switch node.content {
        case .constructed(let children):
            let content = children.flatMap { reencode($0, using: &rng) }
            return LenientBytes.tlv(first, content, form(constructed: true, using: &rng))
        case .primitive(let bytes):
            let isString = node.identifier.tagClass == .universal && [12, 19, 20, 22, 30, 28, 18, 3].contains(node.identifier.tagNumber)
            guard isString, Int.random(in: 0..<3, using: &rng) == 0 else {
                return LenientBytes.tlv(first, Array(bytes), form(constructed: false, using: &rng))
            }
            return chunked(first[0], Array(bytes), depth: Int.random(in: 1...7, using: &rng), using: &rng)
        }
    }

    static func form(constructed: Bool, using rng: inout SeededGenerator) -> LenientBytes.Form {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0...4: return .minimal
        case 5...7: return .long(Int.random(in: 1...4, using: &rng))
        case 8: return .long(9)
        default: return constructed ? .indefinite : .minimal
        }
    }

    /// `content` as a constructed string of `depth` levels (1: chunks under the outer one).
    static func chunked(_ tag: UInt8, _ content: [UInt8], depth: Int, using rng: inout SeededGenerator) -> [UInt8] {
        var pieces: [[UInt8]] = []
        var rest = content[...]
        while !rest.isEmpty || pieces.isEmpty {
            let size = Int.random(in: 0...max(1, rest.count), using: &rng)
            pieces.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        let chunkTags: [UInt8] = [tag, tag, 0x04, 0x0C, 0x80]
        let inner = pieces.flatMap { piece -> [UInt8] in
            if depth > 1 && Int.random(in: 0..<2, using: &rng) == 0 {
                return chunked(tag, piece, depth: depth - 1, using: &rng)
            }
            return LenientBytes.tlv([chunkTags.randomElement(using: &rng)!], piece, form(constructed: false, using: &rng))
        }
        return LenientBytes.tlv([tag | 0x20], inner, Bool.random(using: &rng) ? .indefinite : form(constructed: true, using: &rng))
    }
}
