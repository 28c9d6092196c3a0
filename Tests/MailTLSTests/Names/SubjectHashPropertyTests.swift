import Crypto
import Foundation
import Testing
@testable import MailTLS

/// Random subjects against the live `openssl` CLI: thousands of certificates built here
/// byte by byte (every string type, case, whitespace runs, multi-valued RDNs, non-ASCII,
/// and a few values OpenSSL refuses), hashed by `openssl rehash` in one run per hash kind,
/// compared with `SubjectHash`.
@Suite struct SubjectHashPropertyTests {
    static let count = 3000

    @Test func randomSubjectsHashLikeOpenSSL() throws {
        var generator = SeededGenerator(seed: UInt64(Date().timeIntervalSince1970))
        let seed = generator.state
        let dir = TempDirectory("hash-property")
        let spki = P256.Signing.PrivateKey().publicKey.derRepresentation
        var subjects: [String: [UInt8]] = [:]
        for index in 0..<Self.count {
            let name = RandomName.make(using: &generator)
            let der = TestCertificate.der(subject: name, spki: Array(spki), serial: UInt64(index + 1))
            let file = String(format: "c%05d.pem", index)
            try dir.write(file, PEMScanner.encode(der, label: "CERTIFICATE"))
            subjects[file] = name
        }

        var refused = 0
        for kind in SubjectHash.Kind.allCases {
            let result = try OpenSSL.run(kind == .new ? ["rehash", dir.path] : ["rehash", "-old", dir.path])
            let linked = try Self.links(in: dir.path)
            var mismatches: [String] = []
            refused = 0
            for (file, name) in subjects.sorted(by: { $0.key < $1.key }) {
                let ours = try? SubjectHash.text(SubjectHash.value(ofNameDER: name[...], kind: kind))
                if ours == nil { refused += 1 }
                if ours != linked[file] {
                    mismatches.append("\(file): ours \(ours ?? "refused"), openssl \(linked[file] ?? "no link"); name \(Hex.lower(name))")
                }
            }
            #expect(mismatches.isEmpty, "\(kind) hash, seed \(seed), \(mismatches.count) of \(Self.count) differ:\n\(mismatches.prefix(5).joined(separator: "\n"))\nopenssl: \(result.stderr.prefix(300))")
        }
        // The generator must actually exercise both outcomes.
        #expect(refused > 10 && refused < Self.count / 5, "refused \(refused)")
    }

    /// `link name -> target` in `dir`, as target file -> hash.
    static func links(in dir: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.count >= 10 && name.dropFirst(8).hasPrefix(".") {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + name) {
                result[target] = String(name.prefix(8))
            }
        }
        return result
    }
}

/// A small, reproducible random source, so a failing seed can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        // splitmix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// DER building blocks for test certificates.
enum TestDER {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        CanonicalName.appendTLV(tag: tag, content: content, to: &out)
        return out
    }

    static func oid(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { UInt64($0)! }
        var body: [UInt8] = [UInt8(arcs[0] * 40 + arcs[1])]
        for arc in arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7F)]
            var rest = arc >> 7
            while rest > 0 { chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0); rest >>= 7 }
            body += chunk
        }
        return tlv(0x06, body)
    }

    static func name(_ rdns: [[(oid: String, tag: UInt8, value: [UInt8])]]) -> [UInt8] {
        tlv(0x30, rdns.flatMap { rdn in
            tlv(0x31, rdn.flatMap { tlv(0x30, oid($0.oid) + tlv($0.tag, $0.value)) })
        })
    }
}

/// A syntactically complete X.509 v3 certificate around any subject; the signature is
/// filler, since loading (and hashing) a certificate never checks it.
enum TestCertificate {
    static func der(subject: [UInt8], spki: [UInt8], serial: UInt64, issuer: [UInt8]? = nil,
                    notAfter: String = "491231235959Z", isCA: Bool = true) -> [UInt8] {
        let ecdsaSHA256 = TestDER.tlv(0x30, TestDER.oid("1.2.840.10045.4.3.2"))
        var serialBytes: [UInt8] = []
        var rest = serial
        repeat { serialBytes.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 } while rest > 0
        if serialBytes[0] & 0x80 != 0 { serialBytes.insert(0, at: 0) }
        let issuerName = issuer ?? TestDER.name([[("2.5.4.3", 0x0C, Array("Test Issuer".utf8))]])
        let validity = TestDER.tlv(0x30, TestDER.tlv(0x17, Array("200101000000Z".utf8)) + TestDER.tlv(0x17, Array(notAfter.utf8)))
        let basicConstraints = TestDER.tlv(0x30, TestDER.oid("2.5.29.19") + TestDER.tlv(0x01, [0xFF])
                                           + TestDER.tlv(0x04, TestDER.tlv(0x30, isCA ? TestDER.tlv(0x01, [0xFF]) : [])))
        let extensions = TestDER.tlv(0xA3, TestDER.tlv(0x30, basicConstraints))
        let tbs = TestDER.tlv(0x30, TestDER.tlv(0xA0, TestDER.tlv(0x02, [2])) + TestDER.tlv(0x02, serialBytes)
                              + ecdsaSHA256 + issuerName + validity + subject + spki + extensions)
        let signature = TestDER.tlv(0x03, [0] + TestDER.tlv(0x30, TestDER.tlv(0x02, [1]) + TestDER.tlv(0x02, [1])))
        return TestDER.tlv(0x30, tbs + ecdsaSHA256 + signature)
    }
}

/// Random names that hit every branch of OpenSSL's canonicalisation.
enum RandomName {
    static let types: [String] = ["2.5.4.3", "2.5.4.10", "2.5.4.11", "2.5.4.7", "2.5.4.8", "2.5.4.6", "2.5.4.5",
                                  "1.2.840.113549.1.9.1", "0.9.2342.19200300.100.1.25", "1.3.6.1.4.1.99999.7"]
    static let asciiPool: [UnicodeScalar] = Array("aAbBzZmMqQ09 -.,'\"+=/\\_@#<>;".unicodeScalars)
        + ["\t", "\n", "\u{0B}", "\u{0C}", "\r", " ", " ", " "]
    static let widePool: [UnicodeScalar] = ["é", "É", "ß", "Ü", "ÿ", "\u{A0}", "Σ", "σ", "Ж", "ж", "\u{2003}", "中", "ǅ", "İ", "K"]
    static let astralPool: [UnicodeScalar] = ["😀", "𝔄", "\u{10FFFD}"]

    static func make(using rng: inout SeededGenerator) -> [UInt8] {
        let rdnCount = Int.random(in: 0...100, using: &rng) < 3 ? 0 : Int.random(in: 1...5, using: &rng)
        var rdns: [[(oid: String, tag: UInt8, value: [UInt8])]] = []
        for _ in 0..<rdnCount {
            let avaCount = Int.random(in: 0...3, using: &rng) == 0 ? Int.random(in: 2...3, using: &rng) : 1
            rdns.append((0..<avaCount).map { _ in
                let (tag, value) = randomValue(using: &rng)
                return (types.randomElement(using: &rng)!, tag, value)
            })
        }
        return TestDER.name(rdns)
    }

    static func text(using rng: inout SeededGenerator, wide: Bool, astral: Bool) -> [UnicodeScalar] {
        let length = Int.random(in: 0...10, using: &rng)
        return (0..<length).map { _ in
            let roll = Int.random(in: 0..<10, using: &rng)
            if astral && roll == 0 { return astralPool.randomElement(using: &rng)! }
            if wide && roll < 3 { return widePool.randomElement(using: &rng)! }
            return asciiPool.randomElement(using: &rng)!
        }
    }

    static func randomValue(using rng: inout SeededGenerator) -> (UInt8, [UInt8]) {
        let roll = Int.random(in: 0..<100, using: &rng)
        switch roll {
        case 0:  // invalid UTF-8 (a lone continuation byte, an overlong, a surrogate)
            return (0x0C, Array("ab".utf8) + [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80]].randomElement(using: &rng)!)
        case 1:  // odd-length or surrogate BMPString
            return (0x1E, Bool.random(using: &rng) ? [0x00, 0x41, 0x00] : [0x00, 0x41, 0xD8, 0x3D])
        case 2:  // VisibleString, GeneralString, OCTET STRING, UniversalString beyond U+10FFFF
            return [(0x1A, Array("Vis".utf8)), (0x1B, Array("Gen".utf8)), (0x04, [1, 2]), (0x1C, [0x00, 0x11, 0x00, 0x00])]
                .randomElement(using: &rng)!
        case 3...35:
            return (0x0C, Array(String(String.UnicodeScalarView(text(using: &rng, wide: true, astral: true))).utf8))
        case 36...55:  // one byte per character: ASCII and Latin-1 bytes, as OpenSSL reads them
            let tag: UInt8 = [0x13, 0x14, 0x16].randomElement(using: &rng)!
            let bytes = text(using: &rng, wide: Bool.random(using: &rng), astral: false).map { scalar -> UInt8 in
                scalar.value < 0x100 ? UInt8(scalar.value) : UInt8.random(in: 0x80...0xFF, using: &rng)
            }
            return (tag, bytes)
        case 56...75:
            let scalars = text(using: &rng, wide: true, astral: false)
            return (0x1E, scalars.flatMap { [UInt8($0.value >> 8), UInt8($0.value & 0xFF)] })
        case 76...85:
            let scalars = text(using: &rng, wide: true, astral: true)
            return (0x1C, scalars.flatMap { s in [24, 16, 8, 0].map { UInt8((s.value >> UInt32($0)) & 0xFF) } })
        default:  // NumericString: kept as is, so case and spaces matter
            let digits = Array("0123 456789  ".utf8)
            return (0x12, (0..<Int.random(in: 0...8, using: &rng)).map { _ in digits.randomElement(using: &rng)! })
        }
    }
}
