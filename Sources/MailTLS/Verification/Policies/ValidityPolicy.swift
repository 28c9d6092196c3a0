#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftASN1
import X509

/// Every certificate the rule covers must be within its validity period at `now`.
///
/// Which ones are covered is the caller's choice: `check` leaves the leaf's dates to its
/// expiry rule (which warns ahead of time), DANE-TA does not check the trust anchor's
/// (RFC 7671 §5.2: the TLSA record is the anchor, not the certificate's dates).
struct ValidityPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []
    let now: Date
    var checksLeaf: Bool
    var checksIssuers: Bool
    var checksAnchor: Bool
    let log: ProblemLog

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let certificates = Array(chain)
        for (index, certificate) in certificates.enumerated() {
            let isLeaf = index == 0, isAnchor = index == certificates.count - 1 && index > 0
            if isLeaf && !checksLeaf { continue }
            if !isLeaf && !isAnchor && !checksIssuers { continue }
            if isAnchor && !checksAnchor { continue }
            guard let problem = problem(certificate, isLeaf: isLeaf) else { continue }
            log.record(problem, chain: certificates)
            return .failsToMeetPolicy(reason: problem.message)
        }
        return .meetsPolicy
    }

    private func problem(_ certificate: Certificate, isLeaf: Bool) -> ChainProblem? {
        let subject = NameFormatter.oneLine(certificate.subject)
        if now < certificate.notValidBefore {
            return isLeaf ? .leafNotYetValid(certificate.notValidBefore) : .issuerNotYetValid(subject: subject, certificate.notValidBefore)
        }
        if now > certificate.notValidAfter {
            return isLeaf ? .leafExpired(certificate.notValidAfter) : .issuerExpired(subject: subject, certificate.notValidAfter)
        }
        return nil
    }
}
