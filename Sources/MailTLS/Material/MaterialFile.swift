import X509
import SwiftASN1
import _CryptoExtras

/// A file of TLS material, read and classified: which certificates, requests and keys it holds.
///
/// Reading is strict about damage (a truncated block, bad base64, a block that does not
/// parse are errors naming the file and the line) and lenient about what OpenSSL also
/// ignores (text between blocks, `EC PARAMETERS` blocks, DER instead of PEM).
public struct MaterialFile: Sendable {
    public let path: String
    public let objects: [TLSObject]

    public init(path: String, objects: [TLSObject]) {
        self.path = path
        self.objects = objects
    }

    /// Reads and classifies the file at `path`.
    public static func load(_ path: String) throws -> MaterialFile {
        try parse(try FileReading.bytes(of: path), path: path)
    }

    /// Classifies `bytes` as read from `path` (the path is used in messages only).
    public static func parse(_ bytes: [UInt8], path: String) throws -> MaterialFile {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw MailTLSError(path, "is empty", remedy: "write the key, certificate or request into it, or remove it and make it again")
        }
        if PEMScanner.looksLikePEM(bytes) {
            return MaterialFile(path: path, objects: try objectsFromPEM(bytes, path: path))
        }
        if let object = objectFromDER(bytes) {
            return MaterialFile(path: path, objects: [object])
        }
        throw MailTLSError(path, "is neither PEM nor DER: no BEGIN line and no parseable ASN.1",
                           remedy: "name a certificate, key or request file")
    }

    private static func objectsFromPEM(_ bytes: [UInt8], path: String) throws -> [TLSObject] {
        let blocks: [PEMBlock]
        do {
            blocks = try PEMScanner.blocks(in: String(decoding: bytes, as: UTF8.self))
        } catch let error as PEMScanError {
            switch error {
            case .missingEnd(let label, let line):
                throw MailTLSError(path, "is truncated: the BEGIN \(label) at line \(line) has no END line",
                                   remedy: "copy the whole file again")
            case .mismatchedEnd(let label, let found, let line):
                throw MailTLSError(path, "is damaged: BEGIN \(label) ends with END \(found) at line \(line)",
                                   remedy: "copy the whole file again")
            case .badBase64(let label, let line):
                throw MailTLSError(path, "is damaged: the \(label) block at line \(line) is not valid base64",
                                   remedy: "copy the whole file again")
            }
        }
        var objects: [TLSObject] = []
        var ignored: [String] = []
        for block in blocks {
            if block.isEncryptedKey {
                throw MailTLSError(path, "holds an encrypted private key, and an MTA cannot type a passphrase",
                                   remedy: "decrypt it once into a new 0600 file (openssl pkey -in \(path) -out \(path).plain), or make a new key with mailtls rsa --force")
            }
            do {
                if let object = try object(from: block) {
                    objects.append(object)
                } else {
                    ignored.append(block.label)
                }
            } catch {
                // BoringSSL refuses RSA keys under 2048 bits while parsing; say so plainly.
                if String(describing: error).contains("incorrectParameterSize") {
                    throw MailTLSError(path, "the \(block.label) block at line \(block.line) holds an RSA key smaller than 2048 bits, which is too weak to use",
                                       remedy: "make a new key of at least 2048 bits: mailtls rsa --force")
                }
                throw MailTLSError(path, "the \(block.label) block at line \(block.line) does not parse (\(reason(error)))",
                                   remedy: "copy the whole file again, or make it anew")
            }
        }
        if objects.isEmpty {
            let what = ignored.isEmpty ? "no PEM block" : "only \(ignored.joined(separator: ", "))"
            throw MailTLSError(path, "holds \(what), no certificate, request or key", remedy: "name a certificate, key or request file")
        }
        return objects
    }

    /// The object in one PEM block, or nil for blocks mailtls has no use for (parameters).
    private static func object(from block: PEMBlock) throws -> TLSObject? {
        switch block.label {
        case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
            // A TRUSTED CERTIFICATE is a certificate followed by OpenSSL's trust settings.
            let der = block.label == "TRUSTED CERTIFICATE" ? try firstElement(of: block.der) : block.der
            return try certificate(der: der)
        case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
            return .request(try CertificateSigningRequest(derEncoded: block.der), der: block.der)
        case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
            return .privateKey(try Certificate.PrivateKey(pemDocument: PEMDocument(type: block.label, derBytes: block.der)))
        case "PUBLIC KEY":
            return .publicKey(try Certificate.PublicKey(derEncoded: block.der))
        case "RSA PUBLIC KEY":
            return .publicKey(Certificate.PublicKey(try _RSA.Signing.PublicKey(derRepresentation: block.der)))
        case "X509 CRL":
            return .revocationList(der: block.der)
        default:
            return nil
        }
    }

    /// DER input: try each kind of object in turn, as `openssl … -inform DER` would be told to.
    private static func objectFromDER(_ bytes: [UInt8]) -> TLSObject? {
        guard bytes.first == 0x30 else { return nil }
        if let cert = try? certificate(der: bytes) { return cert }
        if let csr = try? CertificateSigningRequest(derEncoded: bytes) { return .request(csr, der: bytes) }
        // A DER key carries no label: try PKCS#8, then the traditional PKCS#1 and SEC1
        // (`openssl genpkey -outform DER` writes SEC1 for EC keys).
        for label in [KeyFormat.pkcs8, .pkcs1, .sec1].map(\.pemLabel) {
            if let key = try? Certificate.PrivateKey(pemDocument: PEMDocument(type: label, derBytes: bytes)) {
                return .privateKey(key)
            }
        }
        if let key = try? Certificate.PublicKey(derEncoded: bytes) { return .publicKey(key) }
        return nil
    }

    private static func firstElement(of der: [UInt8]) throws -> [UInt8] {
        Array(der[try OpenSSLBER.first(in: der[...]).range])
    }

    /// A certificate, with its DER as OpenSSL holds it. swift-certificates reads DER only;
    /// a certificate in the BER that OpenSSL also loads (a chunked string or a long-form
    /// length in a name, see `OpenSSLBER`) is read from its DER re-encoding, and keeps as `der`
    /// the bytes OpenSSL keeps (`OpenSSLBER.storedForm(ofSigned:)`), so its fingerprints and
    /// hashes are OpenSSL's. Its signature is over the bytes received, not the re-encoding.
    static func certificate(der: [UInt8]) throws -> TLSObject {
        do {
            return .certificate(try Certificate(derEncoded: der), der: der)
        } catch {
            // Bytes after the certificate are damage here (OpenSSL would ignore them).
            guard (try? OpenSSLBER.first(in: der[...]))?.range.upperBound == der.endIndex,
                  let stored = try? OpenSSLBER.storedForm(ofSigned: der), let root = try? OpenSSLBER.first(in: stored[...]),
                  let normalized = try? OpenSSLBER.der(of: root, in: stored[...]), normalized != der,
                  let certificate = try? Certificate(derEncoded: normalized) else { throw error }
            return .certificate(certificate, der: stored)
        }
    }

    /// A library error in words for people: swift-asn1's descriptions carry the type name
    /// and the source file and line (`ASN1Error.invalidASN1Object: … ASN1.swift:188`), which
    /// mean nothing to an admin.
    static func reason(_ error: Error) -> String {
        var words = String(describing: error).split(separator: " ").filter { !$0.contains(".swift:") }
        if let first = words.first, let dot = first.firstIndex(of: ".") {
            words[0] = first[first.index(after: dot)...]
        }
        let text = words.joined(separator: " ").trimmingCharacters(of: ":")
        return text.count > 120 ? String(text.prefix(117)) + "..." : text
    }
}

extension String {
    /// The string without leading and trailing `character`s (and spaces).
    func trimmingCharacters(of character: Character) -> String {
        var text = Substring(self)
        while let last = text.last, last == character || last == " " { text = text.dropLast() }
        while let first = text.first, first == character || first == " " { text = text.dropFirst() }
        return String(text)
    }
}
