import Crypto
import SwiftASN1

/// A certificate or CRL as a CA directory needs it: its DER, the name OpenSSL hashes
/// (a certificate's subject, a CRL's issuer), when it stops being valid, and whether it
/// is a CA.
///
/// This reads only those few fields, walking the DER with swift-asn1, instead of a full
/// `X509.Certificate` parse: it is several times faster on a directory of thousands of
/// roots, and it refuses only what OpenSSL refuses (a name it cannot decode), so a
/// certificate OpenSSL would link is never skipped over an extension mailtls does not know.
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

    /// The DER of the name that is hashed (outer SEQUENCE included).
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

    /// Reads a certificate's DER. `path` is for messages.
    public static func certificate(der: [UInt8], path: String) throws -> TrustObject {
        do {
            let root = try DER.parse(der)
            let tbs = try children(of: root, expect: 3).first!
            var fields = try children(of: tbs).makeIterator()
            var field = fields.next()
            if let version = field, version.identifier.tagClass == .contextSpecific, version.identifier.tagNumber == 0 {
                field = fields.next()
            }
            guard field?.identifier == .integer else { throw OutlineError.shape("no serial number") }
            _ = fields.next()                               // signature algorithm
            guard let issuer = fields.next(), issuer.identifier == .sequence else { throw OutlineError.shape("no issuer") }
            guard let validity = fields.next(), validity.identifier == .sequence else { throw OutlineError.shape("no validity") }
            guard let subject = fields.next(), subject.identifier == .sequence else { throw OutlineError.shape("no subject") }
            _ = fields.next()                               // subjectPublicKeyInfo
            var isCA = false
            while let extra = fields.next() {
                if extra.identifier.tagClass == .contextSpecific, extra.identifier.tagNumber == 3 {
                    isCA = basicConstraintsCA(extra)
                }
            }
            let times = (try? children(of: validity)) ?? []
            let range = offsets(of: subject.encodedBytes, in: der)
            return TrustObject(kind: .certificate, der: der, nameRange: range,
                               expiry: times.count == 2 ? epochSeconds(times[1]) : nil, isCA: isCA)
        } catch let error as OutlineError {
            throw MailTLSError(path, "is not a readable certificate (\(error.text))", remedy: "copy the file again, or remove it")
        } catch {
            throw MailTLSError(path, "is not a readable certificate (not valid DER)", remedy: "copy the file again, or remove it")
        }
    }

    /// Reads a CRL's DER. `path` is for messages.
    public static func revocationList(der: [UInt8], path: String) throws -> TrustObject {
        do {
            let root = try DER.parse(der)
            let tbs = try children(of: root, expect: 3).first!
            var fields = try children(of: tbs).makeIterator()
            var field = fields.next()
            if field?.identifier == .integer { field = fields.next() }   // version
            guard field?.identifier == .sequence else { throw OutlineError.shape("no signature algorithm") }
            guard let issuer = fields.next(), issuer.identifier == .sequence else { throw OutlineError.shape("no issuer") }
            // thisUpdate must be a time: without this check a DER certificate request (version,
            // name, key) passed for a CRL (found by the bad-input corpus).
            guard let thisUpdate = fields.next(), thisUpdate.identifier == .utcTime || thisUpdate.identifier == .generalizedTime else {
                throw OutlineError.shape("no thisUpdate time")
            }
            let next = fields.next()
            let range = offsets(of: issuer.encodedBytes, in: der)
            return TrustObject(kind: .revocationList, der: der, nameRange: range,
                               expiry: next.flatMap(epochSeconds), isCA: nil)
        } catch let error as OutlineError {
            throw MailTLSError(path, "is not a readable CRL (\(error.text))", remedy: "fetch the CRL again, or remove it")
        } catch {
            throw MailTLSError(path, "is not a readable CRL (not valid DER)", remedy: "fetch the CRL again, or remove it")
        }
    }

    private enum OutlineError: Error {
        case shape(String)
        var text: String { if case .shape(let s) = self { return s } else { return "" } }
    }

    private static func children(of node: ASN1Node, expect count: Int? = nil) throws -> [ASN1Node] {
        guard node.identifier == .sequence, case .constructed(let collection) = node.content else {
            throw OutlineError.shape("a SEQUENCE was expected")
        }
        let nodes = Array(collection)
        if let count, nodes.count != count { throw OutlineError.shape("a SEQUENCE of \(count) was expected") }
        if nodes.isEmpty { throw OutlineError.shape("an empty SEQUENCE") }
        return nodes
    }

    private static func offsets(of slice: ArraySlice<UInt8>, in der: [UInt8]) -> Range<Int> {
        // swift-asn1 slices share the parsed array's indices.
        slice.startIndex..<slice.endIndex
    }

    /// Whether the `[3]` extensions hold basicConstraints with cA TRUE.
    private static func basicConstraintsCA(_ tagged: ASN1Node) -> Bool {
        guard case .constructed(let inner) = tagged.content, let list = inner.first(where: { _ in true }),
              case .constructed(let extensions) = list.content else { return false }
        let basicConstraints: [UInt8] = [0x06, 0x03, 0x55, 0x1D, 0x13]
        for ext in extensions {
            guard case .constructed(let parts) = ext.content else { continue }
            let items = Array(parts)
            guard let oid = items.first, Array(oid.encodedBytes) == basicConstraints,
                  let value = items.last, case .primitive(let octets) = value.content,
                  let inner = try? DER.parse(octets), case .constructed(let fields) = inner.content,
                  let first = fields.first(where: { _ in true }), first.identifier == .boolean,
                  case .primitive(let flag) = first.content else { continue }
            return flag.first.map { $0 != 0 } ?? false
        }
        return false
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
