import X509

/// The server certificate verifies against CACertFile/CACertPath, through the intermediates
/// in its own file. A self-signed certificate counts as verified when it is itself trusted
/// (pinned), which is how a self-signed MTA certificate is meant to be used.
struct ChainRule: CheckRule {
    let name = "chain"

    func evaluate(_ context: CheckContext) -> [CheckFinding] {
        guard let path = context.files.serverCertificate else { return [] }
        let chain = context.certificates(path)
        guard let leaf = chain.first else { return [] }
        let trust = TrustStore(context)
        let intermediates = Array(chain.dropFirst())
        var current = leaf
        var depth = 0
        while depth < 8 {
            if trust.contains(current) {
                let how = depth == 0 ? "is itself in CACertFile/CACertPath (pinned)" : "verifies to \(NameFormatter.oneLine(current.subject))"
                return [finding(.ok, path, how)]
            }
            let isSelfSigned = current.subject == current.issuer && current.publicKey.isValidSignature(current.signature, for: current)
            if isSelfSigned {
                return [finding(.warning, path,
                                depth == 0 ? "is self-signed and not in CACertFile/CACertPath, so peers (and this MTA's own client side) cannot verify it"
                                           : "ends at \(NameFormatter.oneLine(current.subject)), which is not in CACertFile/CACertPath",
                                fix: depth == 0 ? "add it to the CA file (mailtls setup does) or have it signed by your CA: mailtls ca sign"
                                                : "add that CA to CACertFile or CACertPath (mailtls bundle add)")]
            }
            guard let issuer = trust.issuers(of: current, among: intermediates).first else {
                return [finding(.warning, path,
                                "cannot be verified: its issuer \(NameFormatter.oneLine(current.issuer)) is neither in the certificate file nor in CACertFile/CACertPath",
                                fix: "append the intermediate certificate(s) to \(path) (fullchain), and the CA to CACertFile or CACertPath")]
            }
            if case .some(.some(let constraints)) = try? issuer.extensions.basicConstraints, case .notCertificateAuthority = constraints {
                return [finding(.error, path, "is signed by \(NameFormatter.oneLine(issuer.subject)), which is not a CA", fix: "get a certificate from a real CA")]
            }
            if issuer.notValidAfter < context.now {
                return [finding(.error, path, "its issuer \(NameFormatter.oneLine(issuer.subject)) expired on \(UTCTimestamp.readable(issuer.notValidAfter))",
                                fix: "install the CA's current certificate")]
            }
            current = issuer
            depth += 1
        }
        return [finding(.error, path, "has a chain longer than 8 certificates", fix: "check the certificate file")]
    }
}
