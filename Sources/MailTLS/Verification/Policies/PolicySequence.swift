import SwiftASN1
import X509

/// Policies applied in order, the first failure deciding: the order is the order in
/// which problems are worth reporting (a leaf's own dates before its chain).
struct PolicySequence: VerifierPolicy {
    var policies: [any VerifierPolicy]

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] { policies.flatMap(\.verifyingCriticalExtensions) }

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        for index in policies.indices {
            if case .failsToMeetPolicy(let reason) = await policies[index].chainMeetsPolicyRequirements(chain: chain) {
                return .failsToMeetPolicy(reason: reason)
            }
        }
        return .meetsPolicy
    }
}
