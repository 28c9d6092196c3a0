import X509

/// Certificate signing requests, as `make csr` made them, plus subjectAltName.
public enum RequestMaker {
    /// A CSR for `key` with `subject`, asking for the server profile and `altNames`
    /// (the Common Name is added to them).
    public static func make(subject: Subject, altNames: SubjectAltNames, key: Certificate.PrivateKey) throws -> CertificateSigningRequest {
        var names = altNames
        if let commonName = subject.commonName { names.addCommonName(commonName) }
        let extensions = try LeafProfile.serverClient.requestExtensions(publicKey: key.publicKey, altNames: names)
        let attributes = CertificateSigningRequest.Attributes([try .init(ExtensionRequest(extensions: extensions))])
        return try CertificateSigningRequest(
            version: .v1, subject: try subject.distinguishedName(), privateKey: key,
            attributes: attributes, signatureAlgorithm: SignatureChoice.algorithm(for: key.publicKey))
    }

    /// The subjectAltNames a CSR asks for.
    public static func requestedAltNames(_ csr: CertificateSigningRequest) -> SubjectAltNames {
        for attribute in csr.attributes {
            if let request = try? ExtensionRequest(attribute),
               let names = try? request.extensions.subjectAlternativeNames {
                return SubjectAltNames(Array(names))
            }
        }
        return SubjectAltNames()
    }

    /// Whether the CSR's signature is valid (proof that its maker holds the key).
    public static func hasValidSignature(_ csr: CertificateSigningRequest) -> Bool {
        csr.publicKey.isValidSignature(csr.signature, for: csr)
    }
}
