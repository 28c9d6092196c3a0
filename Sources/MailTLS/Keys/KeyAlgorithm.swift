/// The key types mailtls makes. RSA 2048 is the default because every MTA peer on the
/// Internet accepts it; ECDSA and Ed25519 are there for admins who know their peers.
public enum KeyAlgorithm: String, CaseIterable, Sendable, Codable {
    case rsa
    case ecdsaP256 = "ecdsa-p256"
    case ecdsaP384 = "ecdsa-p384"
    case ed25519

    /// RSA sizes mailtls offers; below 2048 no modern peer should accept.
    public static let rsaSizes = [2048, 3072, 4096]

    /// The encodings this key type can be written in, the default first.
    /// The default is what OpenSSL 3's `genpkey`/`genrsa` write: PKCS#8.
    public var formats: [KeyFormat] {
        switch self {
        case .rsa: return [.pkcs8, .pkcs1]
        case .ecdsaP256, .ecdsaP384: return [.pkcs8, .sec1]
        case .ed25519: return [.pkcs8]
        }
    }

    /// A short name for people: `RSA 2048`, `ECDSA P-256`, `Ed25519`.
    public func displayName(bits: Int) -> String {
        switch self {
        case .rsa: return "RSA \(bits)"
        case .ecdsaP256: return "ECDSA P-256"
        case .ecdsaP384: return "ECDSA P-384"
        case .ed25519: return "Ed25519"
        }
    }
}

/// How a private key is written in PEM.
public enum KeyFormat: String, CaseIterable, Sendable, Codable {
    /// `-----BEGIN PRIVATE KEY-----`: any key type; OpenSSL 3's default.
    case pkcs8
    /// `-----BEGIN RSA PRIVATE KEY-----`: RSA only; what OpenSSL 1.x `genrsa` wrote.
    case pkcs1
    /// `-----BEGIN EC PRIVATE KEY-----`: ECDSA only; what `openssl ecparam -genkey` writes.
    case sec1

    /// The PEM label this format uses.
    public var pemLabel: String {
        switch self {
        case .pkcs8: return "PRIVATE KEY"
        case .pkcs1: return "RSA PRIVATE KEY"
        case .sec1: return "EC PRIVATE KEY"
        }
    }
}
