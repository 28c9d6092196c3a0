import X509
import Crypto
import _CryptoExtras

/// What kind of key a public key is, for display and for the rules MTAs apply.
public struct KeyDescription: Equatable, Sendable {
    /// `RSA`, `ECDSA` or `Ed25519`.
    public var type: String
    /// Modulus size for RSA, curve size for ECDSA, 256 for Ed25519.
    public var bits: Int
    /// The curve name for ECDSA (`P-256`), nil otherwise.
    public var curve: String?

    /// `RSA 2048`, `ECDSA P-256`, `Ed25519`.
    public var text: String {
        if let curve { return "\(type) \(curve)" }
        return type == "RSA" ? "RSA \(bits)" : type
    }

    public init(_ key: Certificate.PublicKey) {
        if let rsa = _RSA.Signing.PublicKey(key) {
            self.init(type: "RSA", bits: rsa.keySizeInBits, curve: nil)
        } else if P256.Signing.PublicKey(key) != nil {
            self.init(type: "ECDSA", bits: 256, curve: "P-256")
        } else if P384.Signing.PublicKey(key) != nil {
            self.init(type: "ECDSA", bits: 384, curve: "P-384")
        } else if P521.Signing.PublicKey(key) != nil {
            self.init(type: "ECDSA", bits: 521, curve: "P-521")
        } else {
            self.init(type: "Ed25519", bits: 256, curve: nil)
        }
    }

    init(type: String, bits: Int, curve: String?) {
        self.type = type
        self.bits = bits
        self.curve = curve
    }
}
