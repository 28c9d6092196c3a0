import X509
import Crypto
import _CryptoExtras
import SwiftASN1

/// A freshly generated private key, kept as its concrete type so it can be written in
/// any of the formats OpenSSL reads (swift-certificates' `Certificate.PrivateKey` hides that).
public enum GeneratedKey: Sendable {
    case rsa(_RSA.Signing.PrivateKey)
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    /// Makes a new key. `bits` applies to RSA only.
    public static func generate(_ algorithm: KeyAlgorithm, bits: Int = 2048) throws -> GeneratedKey {
        switch algorithm {
        case .rsa:
            let size: _RSA.Signing.KeySize
            switch bits {
            case 2048: size = .bits2048
            case 3072: size = .bits3072
            case 4096: size = .bits4096
            default:
                throw MailTLSError("--bits \(bits)", "is not an RSA size mailtls makes", remedy: "use 2048, 3072 or 4096")
            }
            return .rsa(try _RSA.Signing.PrivateKey(keySize: size))
        case .ecdsaP256: return .p256(P256.Signing.PrivateKey())
        case .ecdsaP384: return .p384(P384.Signing.PrivateKey())
        case .ed25519: return .ed25519(Curve25519.Signing.PrivateKey())
        }
    }

    public var algorithm: KeyAlgorithm {
        switch self {
        case .rsa: return .rsa
        case .p256: return .ecdsaP256
        case .p384: return .ecdsaP384
        case .ed25519: return .ed25519
        }
    }

    /// The key as swift-certificates signs with it.
    public var certificateKey: Certificate.PrivateKey {
        switch self {
        case .rsa(let key): return Certificate.PrivateKey(key)
        case .p256(let key): return Certificate.PrivateKey(key)
        case .p384(let key): return Certificate.PrivateKey(key)
        case .ed25519(let key): return Certificate.PrivateKey(key)
        }
    }

    /// The key in PEM, in `format`, ending with a newline as OpenSSL writes it.
    public func pem(_ format: KeyFormat) throws -> String {
        guard algorithm.formats.contains(format) else {
            throw MailTLSError("--format \(format.rawValue)", "does not apply to \(algorithm.rawValue) keys",
                               remedy: "use one of: \(algorithm.formats.map(\.rawValue).joined(separator: ", "))")
        }
        let text: String
        switch (self, format) {
        case (.rsa(let key), .pkcs1): text = key.pemRepresentation
        case (.rsa(let key), _): text = key.pkcs8PEMRepresentation
        case (.p256(let key), .sec1):
            text = try SEC1Encoding.pem(oid: .NamedCurves.secp256r1, privateKey: Array(key.rawRepresentation),
                                        publicKey: Array(key.publicKey.x963Representation))
        case (.p256(let key), _): text = key.pemRepresentation
        case (.p384(let key), .sec1):
            text = try SEC1Encoding.pem(oid: .NamedCurves.secp384r1, privateKey: Array(key.rawRepresentation),
                                        publicKey: Array(key.publicKey.x963Representation))
        case (.p384(let key), _): text = key.pemRepresentation
        case (.ed25519(let key), _): text = key.pemRepresentation
        }
        return text.hasSuffix("\n") ? text : text + "\n"
    }
}

/// SEC1 `ECPrivateKey` (RFC 5915), as `openssl ecparam -genkey -noout` writes it:
/// version 1, the private scalar, the named curve and the public point.
enum SEC1Encoding {
    static func pem(oid: ASN1ObjectIdentifier, privateKey: [UInt8], publicKey: [UInt8]) throws -> String {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try coder.serialize(ASN1OctetString(contentBytes: privateKey[...]))
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { try $0.serialize(oid) }
            try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) {
                try $0.serialize(ASN1BitString(bytes: publicKey[...]))
            }
        }
        return PEMDocument(type: KeyFormat.sec1.pemLabel, derBytes: serializer.serializedBytes).pemString
    }
}
