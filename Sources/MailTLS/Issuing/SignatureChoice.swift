import X509

/// The signature algorithm OpenSSL would pick for a key: SHA-256 with RSA and P-256,
/// SHA-384 with P-384, pure Ed25519. (swift-certificates keeps its own mapping internal.)
public enum SignatureChoice {
    public static func algorithm(for key: Certificate.PublicKey) -> Certificate.SignatureAlgorithm {
        let description = KeyDescription(key)
        switch (description.type, description.bits) {
        case ("RSA", _): return .sha256WithRSAEncryption
        case ("ECDSA", 384): return .ecdsaWithSHA384
        case ("ECDSA", 521): return .ecdsaWithSHA512
        case ("ECDSA", _): return .ecdsaWithSHA256
        default: return .ed25519
        }
    }
}
