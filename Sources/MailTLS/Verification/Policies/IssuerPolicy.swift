import SwiftASN1
// The dates are ValidityPolicy's job (which certificates are dated depends on the verdict
// asked for); swift-certificates offers RFC 5280's other rules without them only as SPI.
@_spi(DisableValidityCheck) import X509

/// Every certificate that signed another must be a CA, and the chain must keep RFC 5280's
/// structural rules (path length, name constraints), as OpenSSL's verification does.
///
/// A chain of one (a pinned certificate, or a DANE-EE match) has no issuer to judge:
/// RFC 5280 would refuse a `CA:FALSE` certificate as its own anchor, which is exactly how
/// a self-signed MTA certificate is meant to be used.
struct IssuerPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = RFC5280Policy.withValidityCheckDisabled().verifyingCriticalExtensions
    let log: ProblemLog
    private var structure = RFC5280Policy.withValidityCheckDisabled()

    init(log: ProblemLog) {
        self.log = log
    }

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let certificates = Array(chain)
        guard certificates.count > 1 else { return .meetsPolicy }
        for issuer in certificates.dropFirst() {
            if case .some(.some(.notCertificateAuthority)) = try? issuer.extensions.basicConstraints {
                let problem = ChainProblem.issuerNotCA(subject: NameFormatter.oneLine(issuer.subject))
                log.record(problem, chain: certificates)
                return .failsToMeetPolicy(reason: problem.message)
            }
        }
        let result = structure.chainMeetsPolicyRequirements(chain: chain)
        if case .failsToMeetPolicy(let reason) = result {
            log.record(.policy(reason.description), chain: certificates)
        }
        return result
    }
}
