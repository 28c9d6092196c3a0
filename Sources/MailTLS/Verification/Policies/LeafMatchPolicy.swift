import SwiftASN1
import X509

/// The leaf itself is the trust anchor when `match` accepts it as presented (DANE-EE,
/// RFC 7672 §3.1.1), and nothing else is checked: not names, not dates, not the issuer, not
/// extensions (so every extension a leaf may mark critical is taken as handled).
struct LeafMatchPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.basicConstraints, .X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage,
        .X509ExtensionID.subjectAlternativeName, .X509ExtensionID.nameConstraints,
        .X509ExtensionID.subjectKeyIdentifier, .X509ExtensionID.authorityKeyIdentifier,
    ]
    let match: LeafMatch
    /// The leaf's DER as presented (a digest of the whole certificate needs it; a
    /// re-encoding would not do).
    let leafDER: [UInt8]
    let log: ProblemLog

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if chain.count == 1, match.matches(PresentedCertificate(certificate: chain.leaf, der: leafDER)) { return .meetsPolicy }
        let problem = ChainProblem.policy(match.mismatch)
        log.record(problem, chain: Array(chain))
        return .failsToMeetPolicy(reason: problem.message)
    }
}

/// What makes a leaf its own trust anchor, and what to say when it does not.
public struct LeafMatch: Sendable {
    public var mismatch: String
    public var matches: @Sendable (PresentedCertificate) -> Bool

    public init(mismatch: String, matches: @escaping @Sendable (PresentedCertificate) -> Bool) {
        self.mismatch = mismatch
        self.matches = matches
    }
}

/// With designated anchors (DANE-TA, RFC 7672 §3.1.2) the chain must be longer than the
/// leaf: a trust anchor is an issuer.
struct IssuerAnchorPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []
    let log: ProblemLog

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if chain.count > 1 { return .meetsPolicy }
        log.record(.anchorIsLeaf, chain: Array(chain))
        return .failsToMeetPolicy(reason: ChainProblem.anchorIsLeaf.message)
    }
}
