import SwiftASN1
import X509

/// The chain must end at a trusted certificate.
///
/// ``ChainVerifier`` puts the presented certificates into swift-certificates' root store
/// beside the trusted ones, so that the Verifier's chain building (and its signature
/// checks) also hands over the chains that end at an untrusted certificate. This policy
/// rejects those, and records where they end: the longest one says what is missing.
struct TrustedTopPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []
    let trusted: [Certificate]
    let log: ProblemLog

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let certificates = Array(chain)
        guard let top = certificates.last else { return .failsToMeetPolicy(reason: "empty chain") }
        if trusted.contains(top) { return .meetsPolicy }
        let problem: ChainProblem
        if top.subject == top.issuer {
            problem = certificates.count == 1 ? .selfSignedUntrusted : .untrustedRoot(subject: NameFormatter.oneLine(top.subject))
        } else {
            problem = .issuerNotFound(subject: certificates.count == 1 ? nil : NameFormatter.oneLine(top.subject),
                                      issuer: NameFormatter.oneLine(top.issuer))
        }
        log.record(problem, chain: certificates)
        return .failsToMeetPolicy(reason: problem.message)
    }
}
