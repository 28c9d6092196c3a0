import SwiftASN1
import X509

/// DANE-EE(3), RFC 7672 §3.1.1: the record matches the leaf, and nothing else is checked:
/// not names, not dates, not the issuer, not extensions (so every extension a leaf may mark
/// critical is taken as handled).
struct DANEEEPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.basicConstraints, .X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage,
        .X509ExtensionID.subjectAlternativeName, .X509ExtensionID.nameConstraints,
        .X509ExtensionID.subjectKeyIdentifier, .X509ExtensionID.authorityKeyIdentifier,
    ]
    let record: TLSARecord
    /// The leaf's DER as presented (selector 0 hashes it; a re-encoding would not do).
    let leafDER: [UInt8]
    let log: ProblemLog

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if chain.count == 1, record.matches(certificate: chain.leaf, der: leafDER) { return .meetsPolicy }
        let problem = ChainProblem.policy("the server certificate's \(record.selector == .publicKey ? "public key" : "DER") does not match")
        log.record(problem, chain: Array(chain))
        return .failsToMeetPolicy(reason: problem.message)
    }
}

/// DANE-TA(2), RFC 7672 §3.1.2: the chain must end at a certificate the record matches
/// (``ChainVerifier`` makes only such certificates trusted), and be longer than the leaf: a
/// trust anchor is an issuer.
struct DANETAPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []
    let log: ProblemLog

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if chain.count > 1 { return .meetsPolicy }
        let problem = ChainProblem.policy("a DANE-TA(2) record must match an issuer of the server certificate")
        log.record(problem, chain: Array(chain))
        return .failsToMeetPolicy(reason: problem.message)
    }
}
