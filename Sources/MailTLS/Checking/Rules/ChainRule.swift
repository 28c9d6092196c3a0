import X509

/// The server certificate verifies against CACertFile/CACertPath, through the intermediates
/// in its own file, by ``ChainVerifier``. A self-signed certificate counts as verified when
/// it is itself trusted (pinned), which is how a self-signed MTA certificate is meant to be
/// used. Its own dates, names and usage are other rules' business.
struct ChainRule: CheckRule {
    let name = "chain"

    func evaluate(_ context: CheckContext) async -> [Finding] {
        guard let path = context.files.serverCertificate else { return [] }
        let chain = context.presented(path)
        guard !chain.isEmpty else { return [] }
        switch await ChainVerifier.ownCertificate(anchors: context.trust.certificates, now: context.now).verify(chain) {
        case .verified(let verified) where verified.count == 1:
            return [finding(.ok, path, "is itself in CACertFile/CACertPath (pinned)")]
        case .verified(let verified):
            return [finding(.ok, path, "verifies to \(NameFormatter.oneLine(verified[verified.count - 1].subject))")]
        case .failed(let problem):
            return [finding(for: problem, path: path)]
        }
    }

    private func finding(for problem: ChainProblem, path: String) -> Finding {
        switch problem {
        case .selfSignedUntrusted:
            return finding(.warning, path, "is self-signed and not in CACertFile/CACertPath, so peers (and this MTA's own client side) cannot verify it",
                           fix: "add it to the CA file (mailtls setup does) or have it signed by your CA: mailtls ca sign")
        case .untrustedRoot(let subject):
            return finding(.warning, path, "ends at \(subject), which is not in CACertFile/CACertPath",
                           fix: "add that CA to CACertFile or CACertPath (mailtls bundle add)")
        case .issuerNotFound(_, let issuer):
            return finding(.warning, path, "cannot be verified: its issuer \(issuer) is neither in the certificate file nor in CACertFile/CACertPath",
                           fix: "append the intermediate certificate(s) to \(path) (fullchain), and the CA to CACertFile or CACertPath")
        case .issuerNotCA(let subject):
            return finding(.error, path, "is signed by \(subject), which is not a CA", fix: "get a certificate from a real CA")
        case .issuerExpired(let subject, let date):
            return finding(.error, path, "its issuer \(subject) expired on \(UTCTimestamp.readable(date))", fix: "install the CA's current certificate")
        default:
            return finding(.error, path, "does not verify: \(problem.message)", fix: "check the certificate file and the CA certificates")
        }
    }
}
