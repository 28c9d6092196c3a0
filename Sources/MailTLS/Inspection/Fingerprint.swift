import Crypto
import X509

/// The digests admins compare certificates by.
public enum DigestAlgorithm: String, CaseIterable, Sendable, Codable {
    case md5, sha1, sha256

    /// Digest of `bytes`.
    public func digest(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let data = Array(bytes)
        switch self {
        case .md5: return Array(Insecure.MD5.hash(data: data))
        case .sha1: return Array(Insecure.SHA1.hash(data: data))
        case .sha256: return Array(SHA256.hash(data: data))
        }
    }
}

/// One object's fingerprint: a certificate's is the digest of its DER (what `openssl x509
/// -fingerprint` and Sendmail's `${cert_md5}` show); a key's or request's is the digest of
/// its SubjectPublicKeyInfo (what DANE `3 1 1` and `openssl pkey -pubout | sha256` give).
public struct Fingerprint: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case certificate, publicKey = "public-key" }

    public var kind: Kind
    /// What it is about: a certificate's subject, or the key type.
    public var label: String
    /// `sha256` → `AB:CD:…`
    public var digests: [String: String]

    public init(kind: Kind, label: String, digests: [String: String]) {
        self.kind = kind
        self.label = label
        self.digests = digests
    }

    /// OpenSSL 3's line: `sha256 Fingerprint=AB:CD:…`; keys get `sha256 Public Key Fingerprint=…`.
    public func line(_ algorithm: DigestAlgorithm) -> String {
        let word = kind == .certificate ? "Fingerprint" : "Public Key Fingerprint"
        return "\(algorithm.rawValue) \(word)=\(digests[algorithm.rawValue] ?? "")"
    }

    /// The fingerprints of everything in `file` that has one, in file order.
    public static func all(in file: MaterialFile, algorithms: [DigestAlgorithm]) -> [Fingerprint] {
        file.objects.compactMap { object in
            switch object {
            case .certificate(let certificate, let der):
                return Fingerprint(kind: .certificate, label: NameFormatter.oneLine(certificate.subject),
                                   digests: digests(der, algorithms))
            case .revocationList:
                return nil
            default:
                guard let key = object.publicKey else { return nil }
                return Fingerprint(kind: .publicKey, label: "\(KeyDescription(key).text) public key",
                                   digests: digests(key.spkiDER, algorithms))
            }
        }
    }

    private static func digests(_ bytes: [UInt8], _ algorithms: [DigestAlgorithm]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: algorithms.map { ($0.rawValue, Hex.colonUpper($0.digest(bytes))) })
    }
}
