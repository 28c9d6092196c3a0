/// A file in a CA directory, read for what `rehash` and `bundle` care about: the
/// certificates and CRLs it holds, in order, and whether a private key is in it too.
///
/// PEM (as OpenSSL writes) and DER (as Windows and many CAs hand out `.cer`/`.crt`) are
/// both read; `openssl rehash` reads PEM only and silently skips DER.
public struct TrustFile: Sendable {
    public let path: String
    public let objects: [TrustObject]
    /// How many private-key blocks the file holds (they do not belong in a CA directory).
    public let privateKeyCount: Int
    /// Whether the file was DER rather than PEM.
    public let isDER: Bool

    public var certificates: [TrustObject] { objects.filter { $0.kind == .certificate } }

    public static func load(_ path: String) throws -> TrustFile {
        try parse(try FileReading.bytes(of: path), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws -> TrustFile {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw MailTLSError(path, "is empty", remedy: "remove it, or copy the certificate into it")
        }
        if PEMScanner.looksLikePEM(bytes) {
            return try parsePEM(bytes, path: path)
        }
        if bytes.first == 0x30 {
            if let cert = try? TrustObject.certificate(der: bytes, path: path) {
                return TrustFile(path: path, objects: [cert], privateKeyCount: 0, isDER: true)
            }
            if let crl = try? TrustObject.revocationList(der: bytes, path: path) {
                return TrustFile(path: path, objects: [crl], privateKeyCount: 0, isDER: true)
            }
        }
        throw MailTLSError(path, "is neither a PEM nor a DER certificate or CRL", remedy: "remove it, or replace it with the certificate it should hold")
    }

    private static func parsePEM(_ bytes: [UInt8], path: String) throws -> TrustFile {
        let blocks: [PEMBlock]
        do {
            blocks = try PEMScanner.blocks(in: String(decoding: bytes, as: UTF8.self))
        } catch let error as PEMScanError {
            switch error {
            case .missingEnd(let label, let line):
                throw MailTLSError(path, "is truncated: the BEGIN \(label) at line \(line) has no END line", remedy: "copy the whole file again")
            case .mismatchedEnd(let label, let found, let line):
                throw MailTLSError(path, "is damaged: BEGIN \(label) ends with END \(found) at line \(line)", remedy: "copy the whole file again")
            case .badBase64(let label, let line):
                throw MailTLSError(path, "is damaged: the \(label) block at line \(line) is not valid base64", remedy: "copy the whole file again")
            }
        }
        var objects: [TrustObject] = []
        var keys = 0
        for block in blocks {
            switch block.label {
            case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
                objects.append(try certificate(in: block, path: path))
            case "X509 CRL":
                do {
                    objects.append(try TrustObject.revocationList(der: block.der, path: path))
                } catch let error as MailTLSError {
                    throw MailTLSError(path, "the X509 CRL block at line \(block.line) " + error.problem, remedy: error.remedy)
                }
            case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY":
                keys += 1
            default:
                continue
            }
        }
        return TrustFile(path: path, objects: objects, privateKeyCount: keys, isDER: false)
    }

    /// The certificate of a `CERTIFICATE`-like PEM block, with the block's line in messages.
    static func certificate(in block: PEMBlock, path: String) throws -> TrustObject {
        var der = block.der
        if block.label == "TRUSTED CERTIFICATE" {
            // OpenSSL's trust settings follow the certificate; the certificate is the first element.
            der = (try? OpenSSLBER.first(in: block.der[...])).map { Array(block.der[$0.range]) } ?? block.der
        }
        do {
            return try TrustObject.certificate(der: der, path: path)
        } catch let error as MailTLSError {
            throw MailTLSError(path, "the certificate at line \(block.line) " + error.problem, remedy: error.remedy)
        }
    }
}
