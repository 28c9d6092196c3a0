import X509

/// One thing found in a key, certificate or request file.
public enum TLSObject: Sendable {
    case certificate(Certificate, der: [UInt8])
    case request(CertificateSigningRequest, der: [UInt8])
    case privateKey(Certificate.PrivateKey)
    case publicKey(Certificate.PublicKey)
    case revocationList(der: [UInt8])

    /// `a certificate`, `a private key`, … for messages such as "holds a private key, not a certificate".
    public var kindPhrase: String {
        switch self {
        case .certificate: return "a certificate"
        case .request: return "a certificate request"
        case .privateKey: return "a private key"
        case .publicKey: return "a public key"
        case .revocationList: return "a CRL"
        }
    }

    /// The public key this object carries or belongs to, if any.
    public var publicKey: Certificate.PublicKey? {
        switch self {
        case .certificate(let cert, _): return cert.publicKey
        case .request(let csr, _): return csr.publicKey
        case .privateKey(let key): return key.publicKey
        case .publicKey(let key): return key
        case .revocationList: return nil
        }
    }
}
