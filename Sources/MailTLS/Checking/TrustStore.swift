import X509

/// The certificates an MTA trusts: CACertFile's and every certificate file in CACertPath.
struct TrustStore {
    var certificates: [Certificate] = []

    init(_ context: CheckContext) {
        if let file = context.files.caFile { certificates += context.certificates(file) }
        if let directory = context.files.caPath, let dir = opendir(directory) {
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard !name.hasPrefix(".") else { continue }
                let path = Paths.join(directory, name)
                guard FileReading.isRegularFile(path) else { continue }
                for certificate in context.certificates(path) where !certificates.contains(certificate) {
                    certificates.append(certificate)
                }
            }
        }
    }

    func contains(_ certificate: Certificate) -> Bool { certificates.contains(certificate) }

    /// Trusted or supplied certificates that issued `certificate` (name and signature match).
    func issuers(of certificate: Certificate, among extra: [Certificate]) -> [Certificate] {
        (certificates + extra).filter {
            $0.subject == certificate.issuer && $0.publicKey.isValidSignature(certificate.signature, for: certificate)
        }
    }
}
