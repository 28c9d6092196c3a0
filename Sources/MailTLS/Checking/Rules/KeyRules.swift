import X509

/// The key files: present, readable, unencrypted, one key, a type and size peers accept.
struct KeyReadableRule: CheckRule {
    let name = "key-readable"

    func evaluate(_ context: CheckContext) -> [Finding] {
        Set(context.pairs.map(\.key)).sorted().map { path in
            switch context.material(path) {
            case .failure(let error):
                return finding(.error, path, error.problem, fix: error.remedy.isEmpty ? "make a key with mailtls rsa" : error.remedy)
            case .success(let file):
                do {
                    let key = try file.privateKey()
                    return finding(.ok, path, "unencrypted \(KeyDescription(key.publicKey).text) private key")
                } catch let error as MailTLSError {
                    return finding(.error, path, error.problem, fix: error.remedy)
                } catch {
                    return finding(.error, path, "\(error)")
                }
            }
        }
    }
}

/// RSA under 2048 bits is refused by OpenSSL 3's default security level on many peers;
/// Ed25519 certificates are accepted by few MTAs.
struct KeyStrengthRule: CheckRule {
    let name = "key-strength"

    func evaluate(_ context: CheckContext) -> [Finding] {
        Set(context.pairs.map(\.key)).sorted().compactMap { path in
            guard let key = context.key(path) else { return nil }
            let description = KeyDescription(key.publicKey)
            if description.type == "RSA" && description.bits < 2048 {
                return finding(.error, path, "RSA \(description.bits) is too weak; OpenSSL 3 peers refuse it", fix: "mailtls rsa --force, then a new certificate")
            }
            if description.type == "Ed25519" {
                return finding(.warning, path, "few MTA peers accept Ed25519 certificates; they fall back to no TLS or fail",
                               fix: "use an RSA 2048 or ECDSA P-256 key: mailtls rsa --force")
            }
            return finding(.ok, path, "\(description.text) is accepted by MTA peers")
        }
    }
}
