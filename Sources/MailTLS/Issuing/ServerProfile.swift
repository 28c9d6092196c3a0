import X509

/// The extensions of a mail server certificate: usable both for receiving (serverAuth)
/// and for relaying to other MTAs that ask for a client certificate (clientAuth), not a CA,
/// with its names in subjectAltName.
public enum ServerProfile {
    /// Extensions for a leaf certificate of `publicKey`. `authorityKeyID` is the issuer's key
    /// identifier (the certificate's own for a self-signed one).
    public static func extensions(publicKey: Certificate.PublicKey, altNames: SubjectAltNames,
                                  authorityKeyID: [UInt8]?) throws -> Certificate.Extensions {
        var extensions = try requestExtensions(publicKey: publicKey, altNames: altNames)
        try extensions.append(.init(SubjectKeyIdentifier(keyIdentifier: KeyIdentifier.of(publicKey)[...]), critical: false))
        if let authorityKeyID {
            try extensions.append(.init(AuthorityKeyIdentifier(keyIdentifier: authorityKeyID[...]), critical: false))
        }
        return extensions
    }

    /// The extensions a request asks for (no key identifiers: the CA sets those).
    public static func requestExtensions(publicKey: Certificate.PublicKey, altNames: SubjectAltNames) throws -> Certificate.Extensions {
        var extensions = Certificate.Extensions()
        try extensions.append(.init(BasicConstraints.notCertificateAuthority, critical: true))
        try extensions.append(.init(keyUsage(for: publicKey), critical: true))
        try extensions.append(.init(ExtendedKeyUsage([.serverAuth, .clientAuth]), critical: false))
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
