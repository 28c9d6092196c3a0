import Crypto
import SwiftASN1

/// A certificate or CRL as a CA directory needs it: its DER, the name OpenSSL hashes
/// (a certificate's subject, a CRL's issuer), when it stops being valid, and whether it
/// is a CA.
///
/// This reads only those few fields, walking the encoding with `OpenSSLBER` (OpenSSL's rules),
/// instead of a full `X509.Certificate` parse: it is several times faster on a directory
/// of thousands of roots, and it refuses only what OpenSSL refuses (a name it cannot
/// decode, an encoding OpenSSL's decoder stops at), so a certificate OpenSSL would link is
/// never skipped over an extension mailtls does not know or a BER length. `der` is the
/// certificate as OpenSSL holds it (`OpenSSLBER.storedForm(ofSigned:)`), so its digests are OpenSSL's.
public struct TrustObject: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case certificate
        case revocationList = "crl"
    }

    public let kind: Kind
    public let der: [UInt8]
    /// Where the hashed name (subject or issuer) sits in `der`.
    let nameRange: Range<Int>
    /// notAfter (certificates) or nextUpdate (CRLs), seconds since 1970; nil if absent or unreadable.
    public let expiry: Int64?
    /// Whether basicConstraints says CA:TRUE; nil for CRLs.
    public let isCA: Bool?

    /// The bytes of the name that is hashed (outer SEQUENCE included), exactly as the
    /// certificate holds them: DER, or BER where OpenSSL accepts it.
    public var nameDER: ArraySlice<UInt8> { der[nameRange] }

    /// The subject as OpenSSL prints it (`C = US, O = …, CN = …`); the issuer for a CRL.
    public var nameText: String { NameText.oneLine(nameDER: nameDER) }

    /// SHA-1 of the DER: how `openssl rehash` tells duplicates apart.
    public var sha1: [UInt8] { Array(Insecure.SHA1.hash(data: der)) }

    /// SHA-256 of the DER, the fingerprint people compare.
    public var sha256: [UInt8] { Array(SHA256.hash(data: der)) }

    /// The OpenSSL hash of the name; throws a `MailTLSError` naming `path` for names
    /// OpenSSL refuses.
    public func hash(_ kind: SubjectHash.Kind, path: String) throws -> UInt32 {
        do {
            return try SubjectHash.value(ofNameDER: nameDER, kind: kind)
        } catch let refusal as CanonicalName.Refusal {
            throw TrustObject.refusedError(refusal, kind: self.kind, path: path)
        }
    }

    static func refusedError(_ refusal: CanonicalName.Refusal, kind: Kind, path: String) -> MailTLSError {
        let what = kind == .certificate ? "certificate's subject" : "CRL's issuer"
        return MailTLSError(path, "the \(what) cannot be hashed: \(refusal.reason), so OpenSSL refuses to load it",
                            remedy: "ask the issuer for a corrected certificate, or leave this one out")
    }

    /// Reads a certificate, DER or the BER OpenSSL also loads (see `OpenSSLBER`). `path` is for messages.
    public static func certificate(der input: [UInt8], path: String) throws -> TrustObject {
        do {
            try refuseTrailingBytes(input)
            let der = try OpenSSLBER.storedForm(ofSigned: input)
            let bytes = der[...]
            let tbs = try signedPart(of: bytes)
            var fields = try children(of: tbs, in: bytes).makeIterator()
            var field = fields.next()
            if let version = field, version.tagClass == 0x80, version.tagNumber == 0 {
                field = fields.next()
            }
            guard let serial = field, serial.isUniversal(2) else { throw OutlineError.shape("no serial number") }
            _ = fields.next()                               // signature algorithm
            // Names are SEQUENCE OFs, whose constructed bit OpenSSL does not check.
            guard let issuer = fields.next(), issuer.isUniversal(16) else { throw OutlineError.shape("no issuer") }
            guard let validity = fields.next(), validity.isUniversal(16) else { throw OutlineError.shape("no validity") }
            guard let subject = fields.next(), subject.isUniversal(16) else { throw OutlineError.shape("no subject") }
            _ = fields.next()                               // subjectPublicKeyInfo
            var isCA = false
            while let extra = fields.next() {
                if extra.tagClass == 0x80, extra.tagNumber == 3 {
                    isCA = basicConstraintsCA(extra, in: bytes)
                }
            }
            let times = (try? children(of: validity, in: bytes)) ?? []
            return TrustObject(kind: .certificate, der: der, nameRange: subject.range,
                               expiry: times.count == 2 ? epochSeconds(times[1], in: bytes) : nil, isCA: isCA)
        } catch let error as OutlineError {
            throw MailTLSError(path, "is not a readable certificate (\(error.text))", remedy: "copy the file again, or remove it")
        } catch let error as OpenSSLBER.Malformed {
            throw MailTLSError(path, "is not a readable certificate (\(error.reason)), and OpenSSL refuses to load it too",
                               remedy: "copy the file again; if it stays so, ask its issuer for a correctly encoded one, or remove it")
        }
    }

    /// Reads a CRL, DER or the BER OpenSSL also loads. `path` is for messages.
    public static func revocationList(der input: [UInt8], path: String) throws -> TrustObject {
        do {
            try refuseTrailingBytes(input)
            let der = try OpenSSLBER.storedForm(ofSigned: input)
            let bytes = der[...]
            let tbs = try signedPart(of: bytes)
            var fields = try children(of: tbs, in: bytes).makeIterator()
            var field = fields.next()
            if let version = field, version.isUniversal(2) { field = fields.next() }
            guard let algorithm = field, algorithm.isUniversal(16) else { throw OutlineError.shape("no signature algorithm") }
            guard let issuer = fields.next(), issuer.isUniversal(16) else { throw OutlineError.shape("no issuer") }
            // thisUpdate must be a time: without this check a DER certificate request (version,
            // name, key) passed for a CRL (found by the bad-input corpus).
            guard let thisUpdate = fields.next(), thisUpdate.isUniversal(23) || thisUpdate.isUniversal(24) else {
                throw OutlineError.shape("no thisUpdate time")
            }
            let next = fields.next()
            return TrustObject(kind: .revocationList, der: der, nameRange: issuer.range,
                               expiry: next.flatMap { epochSeconds($0, in: bytes) }, isCA: nil)
        } catch let error as OutlineError {
            throw MailTLSError(path, "is not a readable CRL (\(error.text))", remedy: "fetch the CRL again, or remove it")
        } catch let error as OpenSSLBER.Malformed {
            throw MailTLSError(path, "is not a readable CRL (\(error.reason)), and OpenSSL refuses to load it too",
                               remedy: "fetch the CRL again, or remove it")
        }
    }

    /// Bytes after the object: OpenSSL ignores them, mailtls takes them for damage (a
    /// file cut and pasted together), as the bad-input corpus expects.
    private static func refuseTrailingBytes(_ input: [UInt8]) throws {
        let end = try OpenSSLBER.first(in: input[...]).range.upperBound
        if end < input.endIndex {
            throw OutlineError.shape("\(input.endIndex - end) bytes follow its end; OpenSSL would ignore them")
        }
    }

    /// The tbsCertificate or tbsCertList, checked to be BER throughout as OpenSSL reads it
    /// (OpenSSL decodes every field of it on loading, though only a few are read here).
    private static func signedPart(of bytes: ArraySlice<UInt8>) throws -> OpenSSLBER.Element {
        let tbs = try OpenSSLBER.children(of: try OpenSSLBER.first(in: bytes), in: bytes)[0]
        _ = try OpenSSLBER.der(of: tbs, in: bytes)
        return tbs
    }

    private enum OutlineError: Error {
        case shape(String)
        var text: String { if case .shape(let s) = self { return s } else { return "" } }
    }

    /// The children of a constructed SEQUENCE.
    private static func children(of node: OpenSSLBER.Element, in bytes: ArraySlice<UInt8>, expect count: Int? = nil) throws -> [OpenSSLBER.Element] {
        guard node.isUniversal(16), node.isConstructed else {
            throw OutlineError.shape("a SEQUENCE was expected")
        }
        let nodes = try OpenSSLBER.children(of: node, in: bytes)
        if let count, nodes.count != count { throw OutlineError.shape("a SEQUENCE of \(count) was expected") }
        if nodes.isEmpty { throw OutlineError.shape("an empty SEQUENCE") }
        return nodes
    }

    /// Whether the `[3]` extensions hold basicConstraints with cA TRUE.
    private static func basicConstraintsCA(_ tagged: OpenSSLBER.Element, in bytes: ArraySlice<UInt8>) -> Bool {
        guard let list = try? OpenSSLBER.children(of: tagged, in: bytes).first,
              let extensions = try? OpenSSLBER.children(of: list, in: bytes) else { return false }
        let basicConstraints: [UInt8] = [0x55, 0x1D, 0x13]
        for ext in extensions {
            guard let items = try? OpenSSLBER.children(of: ext, in: bytes), let oid = items.first,
                  oid.isUniversal(6), Array(bytes[oid.contentRange]) == basicConstraints,
                  let value = items.last, let octets = try? OpenSSLBER.stringContent(of: value, in: bytes) else { continue }
            let inner = octets[...]
            guard let sequence = try? OpenSSLBER.first(in: inner), let first = (try? OpenSSLBER.children(of: sequence, in: inner))?.first,
                  first.isUniversal(1) else { continue }
            return inner[first.contentRange].first.map { $0 != 0 } ?? false
        }
        return false
    }

    /// A time element (primitive or, as BER allows, chunked) as seconds since 1970.
    static func epochSeconds(_ element: OpenSSLBER.Element, in bytes: ArraySlice<UInt8>) -> Int64? {
        guard let der = try? OpenSSLBER.der(of: element, in: bytes), let node = try? DER.parse(der) else { return nil }
        return epochSeconds(node)
    }

    /// A UTCTime or GeneralizedTime node as seconds since 1970, nil if it does not parse.
    static func epochSeconds(_ node: ASN1Node) -> Int64? {
        let fields: (Int, Int, Int, Int, Int, Int)
        if node.identifier == .utcTime, let time = try? UTCTime(derEncoded: node) {
            fields = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        } else if node.identifier == .generalizedTime, let time = try? GeneralizedTime(derEncoded: node) {
            fields = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        } else {
            return nil
        }
        return civilSeconds(year: fields.0, month: fields.1, day: fields.2, hour: fields.3, minute: fields.4, second: fields.5)
    }

    /// Seconds since 1970 for a UTC civil time (Howard Hinnant's days-from-civil).
    static func civilSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    }
}
