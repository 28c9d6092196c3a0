import X509

/// Picking one kind of object out of a file, with a wrong-type message that names the
/// file, what it holds instead and what to give.
extension MaterialFile {
    /// Certificates in file order, with their DER.
    public var certificates: [(certificate: Certificate, der: [UInt8])] {
        objects.compactMap { if case .certificate(let cert, let der) = $0 { return (cert, der) } else { return nil } }
    }

    /// The first private key in the file, if any.
    public var privateKeys: [Certificate.PrivateKey] {
        objects.compactMap { if case .privateKey(let key) = $0 { return key } else { return nil } }
    }

    /// A phrase for what the file holds: `a private key`, `3 certificates`, …
    public var contentsPhrase: String {
        let phrases = objects.map(\.kindPhrase)
        if phrases.count > 1 && Set(phrases).count == 1 {
            return "\(phrases.count) \(phrases[0].dropFirst(2))s"
        }
        return phrases.joined(separator: " and ")
    }

    /// The file's first certificate (a leaf comes first in a chain file).
    public func firstCertificate() throws -> (certificate: Certificate, der: [UInt8]) {
        guard let first = certificates.first else {
            throw MailTLSError(path, "holds \(contentsPhrase), not a certificate", remedy: "name the certificate file, such as host.cert")
        }
        return first
    }

    /// The file's private key; exactly one is expected.
    public func privateKey() throws -> Certificate.PrivateKey {
        let keys = privateKeys
        guard let key = keys.first else {
            throw MailTLSError(path, "holds \(contentsPhrase), not a private key", remedy: "name the key file, such as host.key")
        }
        guard keys.count == 1 else {
            throw MailTLSError(path, "holds \(keys.count) private keys", remedy: "keep one key per file")
        }
        return key
    }

    /// The file's certificate request.
    public func request() throws -> (request: CertificateSigningRequest, der: [UInt8]) {
        for object in objects {
            if case .request(let csr, let der) = object { return (csr, der) }
        }
        throw MailTLSError(path, "holds \(contentsPhrase), not a certificate request", remedy: "name the request file, such as new.csr")
    }
}
