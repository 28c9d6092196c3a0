#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `rehash` needs to know about one file in a CA directory, small enough to cache:
/// its hashes, its fingerprint, and the facts behind the warnings.
struct TrustRecord: Equatable {
    var name: String
    var kind: TrustObject.Kind
    var newHash: UInt32
    var oldHash: UInt32
    /// SHA-1 of the DER, as `openssl rehash` uses to drop duplicates.
    var sha1: [UInt8]
    var expiry: Int64?
    var isCA: Bool?
    var holdsKey: Bool
    var isDER: Bool

    func hash(_ kind: SubjectHash.Kind) -> UInt32 { kind == .new ? newHash : oldHash }

    /// Reads `path` (named `name` in its directory) into a record, or the error that
    /// keeps it out of the directory's links.
    static func read(path: String, name: String) throws -> TrustRecord {
        let file = try TrustFile.load(path)
        guard file.objects.count == 1, let object = file.objects.first else {
            if file.objects.isEmpty {
                throw MailTLSError(path, "holds no certificate or CRL", remedy: "move it out of the CA directory")
            }
            let certs = file.certificates.count, crls = file.objects.count - certs
            let what = [certs > 0 ? "\(certs) certificate\(certs == 1 ? "" : "s")" : nil,
                        crls > 0 ? "\(crls) CRL\(crls == 1 ? "" : "s")" : nil].compactMap { $0 }.joined(separator: " and ")
            throw MailTLSError(path, "holds \(what); a CA directory needs one per file, and OpenSSL skips this one",
                               remedy: "split it: mailtls bundle split \(path) --into \(Paths.directory(of: path)), then remove it")
        }
        let hashes: (new: UInt32, old: UInt32)
        do {
            hashes = try SubjectHash.values(ofNameDER: object.nameDER)
        } catch let refusal as CanonicalName.Refusal {
            throw TrustObject.refusedError(refusal, kind: object.kind, path: path)
        }
        return TrustRecord(name: name, kind: object.kind, newHash: hashes.new, oldHash: hashes.old, sha1: object.sha1,
                           expiry: object.expiry, isCA: object.isCA, holdsKey: file.privateKeyCount > 0, isDER: file.isDER)
    }

    /// The warnings this file in `directory` earns at time `now` (seconds since 1970).
    func warnings(directory: String, now: Int64) -> [Finding] {
        let expired = expiry.map { $0 < now } ?? false
        guard expired || isCA == false || holdsKey else { return [] }
        let path = Paths.join(directory, name)
        var result: [Finding] = []
        if let expiry, expiry < now {
            let date = UTCTimestamp.readable(Date(timeIntervalSince1970: TimeInterval(expiry)))
            if kind == .certificate {
                result.append(Finding(.warning, path, "expired on \(date)", fix: "remove it, or replace it with the CA's current certificate"))
            } else {
                result.append(Finding(.warning, path, "is out of date since \(date) (its nextUpdate); OpenSSL rejects stale CRLs",
                                      fix: "fetch a current CRL from the CA"))
            }
        }
        if isCA == false {
            result.append(Finding(.warning, path, "is not a CA certificate (no basicConstraints CA:TRUE)",
                                  fix: "it can only be trusted as itself; put CA certificates here"))
        }
        if holdsKey {
            result.append(Finding(.warning, path, "also holds a private key, in a directory every user may read",
                                  fix: "move the key out, keep only the certificate here"))
        }
        return result
    }
}
