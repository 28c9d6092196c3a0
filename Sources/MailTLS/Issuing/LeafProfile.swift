import X509

/// What an end-entity certificate may be used for. A mail server is usually both: a server
/// when it receives (serverAuth) and a client when it relays to MTAs that ask for a client
/// certificate (clientAuth), which Sendmail's `CERTISSUER:`/`CERTSUBJECT:` relaying rules use.
public enum LeafProfile: String, CaseIterable, Sendable, Codable {
    case server
    case client
    case serverClient = "server-client"

    public var usages: [ExtendedKeyUsage.Usage] {
        switch self {
        case .server: return [.serverAuth]
        case .client: return [.clientAuth]
        case .serverClient: return [.serverAuth, .clientAuth]
        }
    }

    /// Extensions for a leaf certificate of `publicKey`: not a CA, key usage for the key
    /// type, this profile's extended key usage, the names, and key identifiers.
    /// `authorityKeyID` is the issuer's key identifier (the certificate's own when self-signed).
    public func extensions(publicKey: Certificate.PublicKey, altNames: SubjectAltNames,
                           authorityKeyID: [UInt8]?) throws -> Certificate.Extensions {
        var extensions = try requestExtensions(publicKey: publicKey, altNames: altNames)
        try extensions.append(.init(SubjectKeyIdentifier(keyIdentifier: KeyIdentifier.of(publicKey)[...]), critical: false))
        if let authorityKeyID {
            try extensions.append(.init(AuthorityKeyIdentifier(keyIdentifier: authorityKeyID[...]), critical: false))
        }
        return extensions
    }

    /// The extensions a request asks for (no key identifiers: the CA sets those).
    public func requestExtensions(publicKey: Certificate.PublicKey, altNames: SubjectAltNames) throws -> Certificate.Extensions {
        var extensions = Certificate.Extensions()
        try extensions.append(.init(BasicConstraints.notCertificateAuthority, critical: true))
        try extensions.append(.init(Self.keyUsage(for: publicKey), critical: true))
        try extensions.append(.init(ExtendedKeyUsage(usages), critical: false))
        if !altNames.isEmpty {
            try extensions.append(.init(SubjectAlternativeNames(altNames.names), critical: false))
        }
        return extensions
    }

    /// digitalSignature for every key; keyEncipherment too for RSA, whose TLS 1.2 RSA key
    /// exchange some old MTAs still use.
    static func keyUsage(for publicKey: Certificate.PublicKey) -> KeyUsage {
        KeyDescription(publicKey).type == "RSA"
            ? KeyUsage(digitalSignature: true, keyEncipherment: true)
            : KeyUsage(digitalSignature: true)
    }
}
