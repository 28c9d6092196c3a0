import SwiftASN1
import X509

/// The leaf's extended key usage, when it has one, must allow its role: OpenSSL checks
/// `serverAuth` when a client verifies a server and `clientAuth` when a server (Sendmail's
/// `${verify}`, Postfix's client certificate check) verifies a client.
struct KeyPurposePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]
    let purpose: ChainVerifier.Purpose
    let log: ProblemLog

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        guard case .some(.some(let usage)) = try? chain.leaf.extensions.extendedKeyUsage else { return .meetsPolicy }
        if usage.contains(purpose.usage) || usage.contains(.any) { return .meetsPolicy }
        let problem = ChainProblem.wrongPurpose(purpose.name)
        log.record(problem, chain: Array(chain))
        return .failsToMeetPolicy(reason: problem.message)
    }
}

extension ChainVerifier.Purpose {
    var usage: ExtendedKeyUsage.Usage { self == .server ? .serverAuth : .clientAuth }
    var name: String { self == .server ? "serverAuth" : "clientAuth" }
}
